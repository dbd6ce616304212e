package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// TestInstallLinkWithMixedCaseShop: an install link that names the shop in
// other letters (My-Store.myshopify.com) goes through: the authorize
// redirect and the state cookie name the shop as Shopify's callback does,
// in lower case.
func TestInstallLinkWithMixedCaseShop(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const typed, shop = "My-Store.myshopify.com", "my-store.myshopify.com"
		resp, body := h.get("/auth?shop=" + typed)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("GET /auth: %d %s", resp.StatusCode, body)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Host != shop {
			t.Fatalf("authorize redirect to %q, want host %s", resp.Header.Get("Location"), shop)
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "funnelscope_oauth_state" {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatal("no state cookie")
		}
		q := shopifytest.SignedCallbackQuery(testSecret, shop, h.shopify.IssueCode(shop), loc.Query().Get("state"), h.clock.Now())
		resp, body = h.callback(q, cookie)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("callback: %d %s", resp.StatusCode, body)
		}
		s, err := st.ShopByDomain(t.Context(), shop)
		if err != nil || !s.Installed() || s.Domain != shop {
			t.Fatalf("after the callback: %+v %v", s, err)
		}
	})
}
