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

// wantCSP fails unless resp allows framing by the shop's admin only.
func wantCSP(t *testing.T, what string, resp *http.Response, shop string) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	want := "frame-ancestors https://" + shop + " https://admin.shopify.com"
	if !strings.Contains(csp, want+";") {
		t.Errorf("%s: CSP %q, want %q", what, csp, want)
	}
	if strings.Contains(csp, "*") {
		t.Errorf("%s: CSP %q has a wildcard", what, csp)
	}
}

// TestPagesNeedSessionToken checks that every page answers with the
// shop's own frame-ancestors, and that without a valid session token only
// the bounce page (and demo mode's /demo) is reachable.
func TestPagesNeedSessionToken(t *testing.T) {
	t.Parallel()
	st := openStore(t, "sqlite")
	h := newHarness(t, st)
	const shop = "csp-shop.myshopify.com"
	h.install(shop)
	expired, err := shopify.MintSessionToken(testAPIKey, testSecret, shop, "42", h.clock.Now().Add(-time.Hour), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := shopify.MintSessionToken(testAPIKey, "another-secret", shop, "42", h.clock.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/settings"} {
		for name, tok := range map[string]string{"no token": "", "expired": expired, "forged": forged, "garbage": "x.y.z"} {
			q := url.Values{"shop": {shop}, "embedded": {"1"}}
			if tok != "" {
				q.Set("id_token", tok)
			}
			resp, body := h.get(path + "?" + q.Encode())
			s := string(body)
			if resp.StatusCode != http.StatusOK || !strings.Contains(s, `data-page="bounce"`) {
				t.Errorf("%s with %s: %d, not the bounce page", path, name, resp.StatusCode)
			}
			if strings.Contains(s, `id="stages"`) || strings.Contains(s, "settings-form") {
				t.Errorf("%s with %s shows the page itself", path, name)
			}
			wantCSP(t, path+" bounce", resp, shop)
		}
		q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
		resp, body := h.get(path + "?" + q.Encode())
		if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `data-page="bounce"`) {
			t.Errorf("%s with a valid token: %d %.200s", path, resp.StatusCode, body)
		}
		if !strings.Contains(string(body), `<meta name="shopify-api-key" content="`+testAPIKey+`">`) ||
			!strings.Contains(string(body), `<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>`) {
			t.Errorf("%s: App Bridge missing from the head", path)
		}
		if i, j := strings.Index(string(body), "app-bridge.js"), strings.Index(string(body), assetURL(t, "api.js")); i < 0 || j < i {
			t.Errorf("%s: App Bridge is not the first script", path)
		}
		wantCSP(t, path, resp, shop)
	}

	// The report view fragment is an API route: a token in the header or nothing.
	resp, _ := h.get("/api/view/report")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/api/view/report without a token: %d", resp.StatusCode)
	}
	resp, body := h.api(http.MethodGet, "/api/view/report?from=2026-01-02&to=2026-01-01", shop, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "from must not be after to.") {
		t.Errorf("bad range view: %d %s", resp.StatusCode, body)
	}
	wantCSP(t, "report view", resp, shop)
	resp, body = h.api(http.MethodGet, "/api/view/report", shop, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="empty-state"`) {
		t.Errorf("a new shop's report view should be the empty state: %d %.300s", resp.StatusCode, body)
	}
	wantCSP(t, "report view", resp, shop)

	// Not demo mode: /demo does not exist.
	if resp, _ := h.get("/demo"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/demo outside demo mode: %d", resp.StatusCode)
	}
	// An HTML error page still carries a CSP.
	resp, _ = h.get("/no-such-page?shop=" + shop)
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("404 page: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
}

// TestDemoEntersWithMintedToken checks demo mode's door: /demo redirects
// to the report with a token for the demo shop only, the page leaves out
// App Bridge, and /demo/token mints fresh tokens.
func TestDemoEntersWithMintedToken(t *testing.T) {
	t.Parallel()
	st := openStore(t, "sqlite")
	const shop = "demo-door.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	h.install(shop)
	resp, _ := h.get("/demo")
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Path != "/" || loc.Query().Get("shop") != shop {
		t.Fatalf("/demo: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := h.get(loc.String())
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="report-view"`) || strings.Contains(string(body), "app-bridge.js") {
		t.Errorf("demo report page: %d, App Bridge included: %v", resp.StatusCode, strings.Contains(string(body), "app-bridge.js"))
	}
	wantCSP(t, "demo report", resp, shop)
	resp, body = h.get("/demo/token")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"token":"`) {
		t.Errorf("/demo/token: %d %s", resp.StatusCode, body)
	}
}
