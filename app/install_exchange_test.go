package app_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// TestManagedInstallAndTokenRefresh: Shopify installed the app itself; the
// first embedded load exchanges the session token for an expiring offline
// token. Near expiry the token is refreshed before an Admin API call; a
// refused refresh marks the shop for re-authorization, without looping, and
// the next embedded load installs it afresh.
func TestManagedInstallAndTokenRefresh(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "managed.myshopify.com"
		resp, body := h.get("/?embedded=1&shop=" + shop + "&id_token=" + h.sessionToken(shop))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-page="home"`) {
			t.Fatalf("first embedded load: %d %s", resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://"+shop+" https://admin.shopify.com") {
			t.Fatalf("CSP = %q", csp)
		}
		if resp.Header.Get("X-Frame-Options") != "" {
			t.Fatalf("X-Frame-Options would stop the admin from framing the page")
		}
		installed, err := st.ShopByDomain(t.Context(), shop)
		if err != nil || !installed.Installed() || installed.Tokens.RefreshToken == "" || installed.Tokens.AccessTokenExpiresAt.IsZero() {
			t.Fatalf("token exchange did not store an expiring offline token: %v %+v", err, installed.Installed())
		}
		testkit.Eventually(t, "webhook registration", func() bool { return len(h.shopify.Subscriptions(shop)) == 12 })
		// The install's other job (the pixel's activation) is done too, so
		// that it makes no token call of its own below.
		h.waitJobsDone()

		// Close to expiry: the next Admin API call refreshes first.
		tokenCalls := h.shopify.Calls("/admin/oauth/access_token")
		h.clock.Set(installed.Tokens.AccessTokenExpiresAt.Add(-time.Minute))
		if err := h.app.SyncShop(t.Context(), shop); err != nil {
			t.Fatalf("sync with refresh: %v", err)
		}
		refreshed, _ := st.ShopByDomain(t.Context(), shop)
		if h.shopify.Calls("/admin/oauth/access_token") != tokenCalls+1 || refreshed.Tokens.AccessToken == installed.Tokens.AccessToken ||
			refreshed.Tokens.RefreshToken == installed.Tokens.RefreshToken {
			t.Fatalf("the token was not refreshed before the call")
		}
		if len(h.shopify.Subscriptions(shop)) != 12 {
			t.Fatalf("a second registration duplicated subscriptions: %d", len(h.shopify.Subscriptions(shop)))
		}

		// The old refresh token was retired by that refresh: put it back and
		// the next refresh is refused.
		if err := st.UpdateTokens(t.Context(), installed.ID, installed.Tokens); err != nil {
			t.Fatal(err)
		}
		tokenCalls = h.shopify.Calls("/admin/oauth/access_token")
		for i := 0; i < 3; i++ {
			if err := h.app.SyncShop(t.Context(), shop); err == nil || !strings.Contains(err.Error(), "re-authorization") {
				t.Fatalf("sync with a retired refresh token: %v", err)
			}
		}
		if n := h.shopify.Calls("/admin/oauth/access_token") - tokenCalls; n != 1 {
			t.Fatalf("a refused refresh was tried %d times, want once", n)
		}
		marked, _ := st.ShopByDomain(t.Context(), shop)
		if !marked.NeedsReauth {
			t.Fatalf("the shop is not marked as needing re-authorization")
		}

		// The merchant opens the app again: token exchange repairs it.
		h.clock.Set(time.Now().UTC())
		if resp, body := h.api(http.MethodGet, "/api/funnel", shop, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("api after re-authorization: %d %s", resp.StatusCode, body)
		}
		repaired, _ := st.ShopByDomain(t.Context(), shop)
		if repaired.NeedsReauth || repaired.Tokens.AccessToken == marked.Tokens.AccessToken {
			t.Fatalf("token exchange did not repair the shop")
		}
	})
}

// TestDocumentWithoutTokenGetsBouncePage: App Bridge supplies the token.
func TestDocumentWithoutTokenGetsBouncePage(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		resp, body := h.get("/?embedded=1&shop=bounce.myshopify.com&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYm91bmNl")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-page="bounce"`) ||
			!strings.Contains(string(body), `<meta name="shopify-api-key" content="`+testAPIKey+`">`) ||
			!strings.Contains(string(body), "https://cdn.shopify.com/shopifycloud/app-bridge.js") {
			t.Fatalf("bounce page: %d %s", resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://bounce.myshopify.com https://admin.shopify.com") {
			t.Fatalf("bounce CSP = %q", csp)
		}
		if _, err := st.ShopByDomain(t.Context(), "bounce.myshopify.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a page load without a token stored the shop: %v", err)
		}
	})
}
