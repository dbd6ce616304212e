package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/shopify"
)

// TestDemoPagesWithoutTokenGetOne: in demo mode a page request without a
// valid session token (the root URL, a reload after the token expired) is
// sent on with a fresh one for the demo shop, the rest of its query kept;
// /demo passes its query on the same way. The admin keeps its bounce page
// (TestPagesNeedSessionToken).
func TestDemoPagesWithoutTokenGetOne(t *testing.T) {
	t.Parallel()
	st := openStore(t, "sqlite")
	const shop = "demo-reload.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	h.install(shop)
	h.deliverAll(shop, []delivery{cartWith(t, "cart 7", "Mug", h.clock.Now().Add(-time.Hour), 1200)})
	expired, err := shopify.MintSessionToken(testAPIKey, testSecret, shop, "1", h.clock.Now().Add(-2*time.Minute), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		request, path string
		keep          url.Values
	}{
		{"/", "/", url.Values{}},
		{"/?id_token=" + expired + "&from=2026-01-01&to=2026-01-31&segment=country", "/",
			url.Values{"from": {"2026-01-01"}, "to": {"2026-01-31"}, "segment": {"country"}}},
		{"/settings?id_token=" + expired + "&shop=other.myshopify.com", "/settings", url.Values{}},
		{"/?id_token=x.y.z&session=cart-7", "/", url.Values{"session": {"cart-7"}}},
		{"/demo?session=cart-7&from=2026-01-01", "/", url.Values{"session": {"cart-7"}, "from": {"2026-01-01"}}},
		// An alert's link to a shopper's page, the key escaped as the
		// alert escapes it.
		{"/sessions/cart%207", "/sessions/cart%207", url.Values{}},
	} {
		resp, body := h.get(c.request)
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil {
			t.Errorf("%s: %d %.200s, want a redirect", c.request, resp.StatusCode, body)
			continue
		}
		q := loc.Query()
		if loc.EscapedPath() != c.path || q.Get("shop") != shop || q.Get("embedded") != "1" {
			t.Errorf("%s: redirected to %s, want %s for %s", c.request, loc, c.path, shop)
		}
		for k, v := range c.keep {
			if q.Get(k) != v[0] {
				t.Errorf("%s: redirect lost %s=%s: %s", c.request, k, v[0], loc)
			}
		}
		claims, err := shopify.SessionTokenVerifier{APIKey: testAPIKey, Secret: testSecret, Now: h.clock.Now}.Verify(q.Get("id_token"))
		if err != nil || claims.Shop != shop {
			t.Errorf("%s: the new id_token does not verify for %s: %+v %v", c.request, shop, claims, err)
		}
		resp, body = h.get(loc.String())
		if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `data-page="bounce"`) {
			t.Errorf("%s: following the redirect gives %d %.200s", c.request, resp.StatusCode, body)
		}
	}
}
