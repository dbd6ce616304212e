package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestCollectForgetsAKeyAtOnce: /collect remembers which shop a pixel
// key opens, but an uninstall or a shop/redact seen by this instance
// stops the key at once; one done elsewhere (straight in the database, as
// another instance would) stops it once the cache's two seconds are over;
// and a reinstall opens the key again at once (refusals are not
// remembered).
func TestCollectForgetsAKeyAtOnce(t *testing.T) {
	t.Parallel()
	// The store installs shops an hour before the app's clock, so that
	// the uninstalls (at the app's now) come after the installs.
	installed := visitArrival.Add(-time.Hour)
	st := storetest.Open(t, store.DialectSQLite, func(o *store.Options) { o.Now = func() time.Time { return installed } })
	h := newHarness(t, st)
	h.clock.Set(visitArrival)
	b := visitBatch(t)
	post := func(shop, key string, want int) {
		t.Helper()
		if resp, body := h.collect(b.body(t, shop, key, b.Events[:2])); resp.StatusCode != want {
			t.Fatalf("POST /collect for %s: %d %s, want %d", shop, resp.StatusCode, body, want)
		}
	}

	_, key := h.pixelShop(visitShop)
	post(visitShop, key, http.StatusNoContent)
	if resp, _ := h.webhook("app/uninstalled", visitShop, "uninstall-1", uninstalledBody(t, visitShop)); resp.StatusCode != http.StatusOK {
		t.Fatalf("app/uninstalled: %d", resp.StatusCode)
	}
	post(visitShop, key, http.StatusForbidden)
	if _, again := h.pixelShop(visitShop); again != key {
		t.Fatal("a reinstall changed the pixel key")
	}
	post(visitShop, key, http.StatusNoContent)

	// Uninstalled by another instance: trusted for at most the TTL.
	if err := st.UninstallShop(t.Context(), visitShop, visitArrival); err != nil {
		t.Fatal(err)
	}
	h.clock.Add(2*time.Second + time.Millisecond)
	post(visitShop, key, http.StatusForbidden)

	// shop/redact erases the shop and its key: refused at once.
	const other = "other-shop.myshopify.com"
	_, otherKey := h.pixelShop(other)
	post(other, otherKey, http.StatusNoContent)
	if resp, body := h.webhook("shop/redact", other, "redact-1", complianceBody(t, "shop_redact.json", other)); resp.StatusCode != http.StatusOK {
		t.Fatalf("shop/redact: %d %s", resp.StatusCode, body)
	}
	post(other, otherKey, http.StatusForbidden)
}
