package app_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// beginInstall follows GET /auth and returns the authorize redirect's state and the state cookie.
func beginInstall(t *testing.T, h *harness, shop string) (state string, cookie *http.Cookie) {
	t.Helper()
	resp, _ := h.get("/auth?shop=" + shop)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET /auth: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Scheme != "https" || loc.Host != shop || loc.Path != "/admin/oauth/authorize" {
		t.Fatalf("authorize redirect = %s", loc)
	}
	q := loc.Query()
	if q.Get("client_id") != testAPIKey || q.Get("scope") != "read_orders" || q.Get("redirect_uri") != h.srv.URL+"/auth/callback" {
		t.Fatalf("authorize query = %v", q)
	}
	if len(q.Get("state")) != 64 {
		t.Fatalf("state %q is not 32 random bytes in hex", q.Get("state"))
	}
	for _, c := range resp.Cookies() {
		if c.Name == "funnelscope_oauth_state" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.MaxAge <= 0 || cookie.MaxAge > 900 {
		t.Fatalf("state cookie = %+v, want HttpOnly, Secure, short-lived", cookie)
	}
	return q.Get("state"), cookie
}

func (h *harness) callback(q url.Values, cookie *http.Cookie) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/auth/callback?"+q.Encode(), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	return h.do(req)
}

func TestInstallByAuthorizationCode(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "install-me.myshopify.com"
		state, cookie := beginInstall(t, h, shop)

		code := h.shopify.IssueCode(shop)
		q := shopifytest.SignedCallbackQuery(testSecret, shop, code, state, h.clock.Now())
		q.Set("host", base64.RawStdEncoding.EncodeToString([]byte("admin.shopify.com/store/install-me")))
		q.Set("hmac", shopify.SignQuery(q, testSecret))
		resp, body := h.callback(q, cookie)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("callback: status %d, body %s", resp.StatusCode, body)
		}
		if got, want := resp.Header.Get("Location"), "https://admin.shopify.com/store/install-me/apps/"+testAPIKey; got != want {
			t.Fatalf("redirect into the admin = %q, want %q", got, want)
		}

		s, err := st.ShopByDomain(t.Context(), shop)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Installed() || !strings.HasPrefix(s.Tokens.AccessToken, "shpat_") || !strings.HasPrefix(s.Tokens.RefreshToken, "shprt_") {
			t.Fatalf("stored shop = installed %v, tokens %q/%q", s.Installed(), s.Tokens.AccessToken, s.Tokens.RefreshToken)
		}
		if s.Tokens.AccessTokenExpiresAt.IsZero() || s.Tokens.RefreshTokenExpiresAt.Before(s.Tokens.AccessTokenExpiresAt) {
			t.Fatalf("expiring token without expiries: %+v", s.Tokens.AccessTokenExpiresAt)
		}
		if s.Tokens.Scope != "read_orders" {
			t.Fatalf("granted scope = %q", s.Tokens.Scope)
		}

		testkit.Eventually(t, "webhook registration", func() bool { return len(h.shopify.Subscriptions(shop)) == 12 })
		testkit.Eventually(t, "the shop's time zone", func() bool {
			s, err := st.ShopByDomain(t.Context(), shop)
			return err == nil && s.Timezone == "America/Toronto" && s.Currency == "CAD"
		})
		var topics []string
		for _, sub := range h.shopify.Subscriptions(shop) {
			if sub.URI != h.srv.URL+"/webhooks" {
				t.Errorf("subscription %s goes to %s", sub.Topic, sub.URI)
			}
			topics = append(topics, sub.Topic)
		}
		slices.Sort(topics)
		want := []string{"APP_UNINSTALLED", "CARTS_CREATE", "CARTS_UPDATE", "CHECKOUTS_CREATE", "CHECKOUTS_DELETE", "CHECKOUTS_UPDATE",
			"DISCOUNTS_CREATE", "DISCOUNTS_DELETE", "DISCOUNTS_UPDATE", "ORDERS_CREATE", "PRODUCTS_UPDATE", "THEMES_PUBLISH"}
		if !slices.Equal(topics, want) {
			t.Fatalf("subscribed topics = %v, want %v", topics, want)
		}

		// The same callback again: the state cookie is spent and the code used.
		resp, _ = h.callback(q, cookie)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("replayed callback: status %d, want 400", resp.StatusCode)
		}
		again, err := st.ShopByDomain(t.Context(), shop)
		if err != nil || again.Tokens.AccessToken != s.Tokens.AccessToken {
			t.Fatalf("a replayed callback changed the stored token")
		}
		if strings.Contains(h.logText(), s.Tokens.AccessToken) || strings.Contains(h.logText(), code) {
			t.Fatalf("a token or code reached the logs")
		}
	})
}

func TestInstallRetriesThrottledRegistration(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "busy-store.myshopify.com"
		h.shopify.FailNext("/admin/api/2026-10/graphql.json", http.StatusTooManyRequests, 2)
		h.shopify.FailNext("/admin/api/2026-10/graphql.json", http.StatusServiceUnavailable, 1)
		state, cookie := beginInstall(t, h, shop)
		q := shopifytest.SignedCallbackQuery(testSecret, shop, h.shopify.IssueCode(shop), state, h.clock.Now())
		if resp, body := h.callback(q, cookie); resp.StatusCode != http.StatusFound {
			t.Fatalf("callback: %d %s", resp.StatusCode, body)
		}
		testkit.Eventually(t, "webhook registration after throttling", func() bool { return len(h.shopify.Subscriptions(shop)) == 12 })
	})
}

func TestCallbackRejectsBadInput(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "careful.myshopify.com"
		state, cookie := beginInstall(t, h, shop)
		good := func() url.Values {
			return shopifytest.SignedCallbackQuery(testSecret, shop, h.shopify.IssueCode(shop), state, h.clock.Now())
		}
		resign := func(q url.Values) url.Values { q.Set("hmac", shopify.SignQuery(q, testSecret)); return q }
		cases := []struct {
			name   string
			query  url.Values
			cookie *http.Cookie
		}{
			{"forged hmac", func() url.Values { q := good(); q.Set("hmac", strings.Repeat("0", 64)); return q }(), cookie},
			{"missing hmac", func() url.Values { q := good(); q.Del("hmac"); return q }(), cookie},
			{"hmac by another secret", func() url.Values { q := good(); q.Set("hmac", shopify.SignQuery(q, "other-secret")); return q }(), cookie},
			{"evil shop", resign(func() url.Values { q := good(); q.Set("shop", "evil.com"); return q }()), cookie},
			{"suffix shop", resign(func() url.Values { q := good(); q.Set("shop", "x.myshopify.com.evil.com"); return q }()), cookie},
			{"newline shop", resign(func() url.Values { q := good(); q.Set("shop", "\nx.myshopify.com"); return q }()), cookie},
			{"empty shop", resign(func() url.Values { q := good(); q.Set("shop", ""); return q }()), cookie},
			{"stale timestamp", shopifytest.SignedCallbackQuery(testSecret, shop, h.shopify.IssueCode(shop), state, h.clock.Now().Add(-10*time.Minute)), cookie},
			{"missing cookie", good(), nil},
			{"mismatched state", resign(func() url.Values { q := good(); q.Set("state", strings.Repeat("a", 64)); return q }()), cookie},
			{"cookie of another shop", resign(func() url.Values { q := good(); q.Set("shop", "other.myshopify.com"); return q }()), cookie},
		}
		for _, tc := range cases {
			resp, body := h.callback(tc.query, tc.cookie)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400 (%s)", tc.name, resp.StatusCode, body)
			}
			if !strings.Contains(string(body), "install") && !strings.Contains(string(body), "Shopify") {
				t.Errorf("%s: the answer %q does not tell the merchant what to do", tc.name, body)
			}
		}
		for _, d := range []string{shop, "evil.com", "other.myshopify.com"} {
			if _, err := st.ShopByDomain(t.Context(), d); err == nil {
				t.Errorf("a rejected callback stored shop %s", d)
			}
		}
		if n := h.shopify.Calls("/admin/oauth/access_token"); n != 0 {
			t.Errorf("a rejected callback spent a code: %d token calls", n)
		}
	})
}

func TestAuthBeginRejectsBadShops(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		for _, shop := range []string{"evil.com", "x.myshopify.com.evil.com", "%0ax.myshopify.com", "", "-x.myshopify.com"} {
			resp, body := h.get("/auth?shop=" + shop)
			if resp.StatusCode != http.StatusBadRequest || len(resp.Cookies()) != 0 {
				t.Errorf("shop %q: status %d, cookies %d (%s)", shop, resp.StatusCode, len(resp.Cookies()), body)
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors") {
				t.Errorf("shop %q: HTML error without frame-ancestors", shop)
			}
		}
	})
}
