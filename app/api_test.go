package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/funnelscope/funnelscope/store"
)

// TestAPITenantIsolation puts two shops' data side by side; shop A's session
// token sees nothing of shop B, whatever the query names.
func TestAPITenantIsolation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const a, b = "shop-a.myshopify.com", "shop-b.myshopify.com"
		h.install(a)
		h.install(b)
		now := h.clock.Now()
		for i, d := range journey(t, 1, 1, now.Add(-2*time.Hour), 1000) {
			h.webhook(d.topic, a, "a-"+d.id, d.body)
			_ = i
		}
		for _, n := range []int{2, 3, 4} {
			for _, d := range journey(t, n, 6, now.Add(-3*time.Hour), 99900) {
				h.webhook(d.topic, b, "b-"+d.id, d.body)
			}
		}
		if resp, body := h.api(http.MethodPut, "/api/settings?shop="+b, a, map[string]any{"abandon_after_minutes": 30, "shop": b}); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT settings: %d %s", resp.StatusCode, body)
		}
		if resp, body := h.api(http.MethodPut, "/api/settings", b, map[string]any{"abandon_after_minutes": 240}); resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT settings B: %d %s", resp.StatusCode, body)
		}

		for _, path := range []string{
			"/api/funnel", "/api/funnel?shop=" + b, "/api/funnel?segment=source&shop_id=2",
			"/api/sessions", "/api/sessions?shop=" + b + "&status=completed", "/api/sessions?per_page=200&page=1",
			"/api/settings?shop=" + b,
		} {
			resp, body := h.api(http.MethodGet, path, a, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
			}
			s := string(body)
			if strings.Contains(s, b) || strings.Contains(s, "cart-002") || strings.Contains(s, `"999.00"`) || strings.Contains(s, `"abandon_after_minutes":240`) {
				t.Errorf("GET %s as shop A shows shop B's data: %s", path, s)
			}
		}
		_, body := h.api(http.MethodGet, "/api/sessions", a, nil)
		var page struct {
			Total    int64
			Sessions []struct{ Key string }
		}
		if err := json.Unmarshal(body, &page); err != nil || page.Total != 1 || page.Sessions[0].Key != "cart-001" {
			t.Fatalf("shop A's sessions = %s", body)
		}
		_, body = h.api(http.MethodGet, "/api/settings", a, nil)
		if !strings.Contains(string(body), `"abandon_after_minutes":30`) {
			t.Fatalf("shop A's settings = %s", body)
		}
	})
}

// TestAPIRejectsBadSessionTokens checks every way a session token can be wrong.
func TestAPIRejectsBadSessionTokens(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "guarded.myshopify.com"
		h.install(shop)
		now := h.clock.Now()
		claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
			c := jwt.MapClaims{
				"iss": "https://" + shop + "/admin", "dest": "https://" + shop, "aud": testAPIKey, "sub": "42",
				"exp": now.Add(time.Minute).Unix(), "nbf": now.Add(-5 * time.Second).Unix(), "iat": now.Add(-5 * time.Second).Unix(),
				"jti": "f8912129-1af6-4cad-9ca3-76b0f7621087", "sid": "aaea182f",
			}
			if mut != nil {
				mut(c)
			}
			return c
		}
		sign := func(method jwt.SigningMethod, c jwt.MapClaims, key any) string {
			s, err := jwt.NewWithClaims(method, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		good := sign(jwt.SigningMethodHS256, claims(nil), []byte(testSecret))
		cases := map[string]string{
			"expired":         sign(jwt.SigningMethodHS256, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }), []byte(testSecret)),
			"not yet valid":   sign(jwt.SigningMethodHS256, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }), []byte(testSecret)),
			"wrong audience":  sign(jwt.SigningMethodHS256, claims(func(c jwt.MapClaims) { c["aud"] = "another-app" }), []byte(testSecret)),
			"HS512":           sign(jwt.SigningMethodHS512, claims(nil), []byte(testSecret)),
			"alg none":        sign(jwt.SigningMethodNone, claims(nil), jwt.UnsafeAllowNoneSignatureType),
			"bad signature":   sign(jwt.SigningMethodHS256, claims(nil), []byte("not-the-secret")),
			"dest other shop": sign(jwt.SigningMethodHS256, claims(func(c jwt.MapClaims) { c["dest"] = "https://other.myshopify.com" }), []byte(testSecret)),
			"dest not shopify": sign(jwt.SigningMethodHS256, claims(func(c jwt.MapClaims) {
				c["dest"], c["iss"] = "https://evil.com", "https://evil.com/admin"
			}), []byte(testSecret)),
			"garbage": "not.a.token",
			"empty":   "",
		}
		for name, tok := range cases {
			req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/api/funnel", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, body := h.do(req)
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Shopify-Retry-Invalid-Session-Request") != "1" {
				t.Errorf("%s: %d %s, want 401 with the retry header", name, resp.StatusCode, body)
			}
			// The document request gets the bounce page instead of the report.
			resp, body = h.get("/?shop=" + shop + "&id_token=" + tok)
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-page="bounce"`) {
				t.Errorf("%s: document request got %d, not the bounce page", name, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/api/funnel", nil)
		req.Header.Set("Authorization", "Bearer "+good)
		if resp, body := h.do(req); resp.StatusCode != http.StatusOK {
			t.Fatalf("a good token was refused: %d %s", resp.StatusCode, body)
		}
		if resp, _ := h.get("/api/funnel"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no token: %d", resp.StatusCode)
		}
	})
}

func TestAPIValidatesParameters(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "params.myshopify.com"
		h.install(shop)
		for path, field := range map[string]string{
			"/api/funnel?from=2026-13-01":               "from",
			"/api/funnel?from=2026-11-10&to=2026-11-01": "from",
			"/api/funnel?from=2020-01-01&to=2026-01-01": "from",
			"/api/funnel?segment=planet":                "segment",
			"/api/sessions?status=lost":                 "status",
			"/api/sessions?page=0":                      "page",
			"/api/sessions?per_page=100000":             "per_page",
			"/api/sessions?sort=price":                  "sort",
		} {
			resp, body := h.api(http.MethodGet, path, shop, nil)
			var e struct{ Error, Field string }
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != http.StatusBadRequest || e.Field != field || e.Error == "" {
				t.Errorf("%s: %d %s, want 400 about %s", path, resp.StatusCode, body, field)
			}
		}
		for _, in := range []any{map[string]any{"abandon_after_minutes": -5}, map[string]any{"abandon_after_minutes": 1}, "not an object"} {
			resp, body := h.api(http.MethodPut, "/api/settings", shop, in)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("PUT settings %v: %d %s", in, resp.StatusCode, body)
			}
		}
		_, body := h.api(http.MethodGet, "/api/settings", shop, nil)
		if !strings.Contains(string(body), `"abandon_after_minutes":60`) {
			t.Errorf("rejected settings changed something: %s", body)
		}
	})
}
