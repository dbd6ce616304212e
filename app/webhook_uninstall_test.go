package app_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// TestLateUninstallRetryKeepsReinstall: Shopify retries carry the original
// trigger time; an uninstall from before the merchant reinstalled must not
// wipe the new tokens.
func TestLateUninstallRetryKeepsReinstall(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "comeback.myshopify.com"
		triggered := time.Now().UTC().Add(-time.Hour)
		h.install(shop)
		body := uninstalledBody(t, shop)
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks", bytes.NewReader(body))
		for k, v := range shopifytest.WebhookHeaders(testSecret, "app/uninstalled", shop, "old-uninstall", body) {
			req.Header[k] = v
		}
		req.Header.Set("X-Shopify-Triggered-At", triggered.Format(time.RFC3339Nano))
		if resp, b := h.do(req); resp.StatusCode != http.StatusOK {
			t.Fatalf("late app/uninstalled: %d %s", resp.StatusCode, b)
		}
		s, err := st.ShopByDomain(t.Context(), shop)
		if err != nil || !s.Installed() || s.Tokens.AccessToken == "" {
			t.Fatalf("a retried uninstall from before the reinstall removed the shop's tokens")
		}
	})
}
