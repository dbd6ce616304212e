package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

const apiVersion = "2026-10"

// newClient returns a Client pointed at fake with a fixed clock and a
// recording, instant sleep.
func newClient(fake *shopifytest.Server, now time.Time, slept *[]time.Duration) *shopify.Client {
	return &shopify.Client{
		APIKey: testKey, Secret: testSecret, APIVersion: apiVersion,
		AdminOrigin: fake.URL,
		Now:         func() time.Time { return now },
		Retry: shopify.RetryPolicy{Sleep: func(_ context.Context, d time.Duration) error {
			if slept != nil {
				*slept = append(*slept, d)
			}
			return nil
		}},
	}
}

func TestExchangeCodeRoundTrip(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	fake.GrantScopes = "write_orders,read_customers"
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	c := newClient(fake, now, nil)
	ctx := context.Background()

	code := fake.IssueCode(testShop)
	tok, err := c.ExchangeCode(ctx, testShop, code)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "shpat_") || !strings.HasPrefix(tok.RefreshToken, "shprt_") {
		t.Errorf("token = %+v", tok)
	}
	if tok.Scope != "write_orders,read_customers" {
		t.Errorf("scope = %q", tok.Scope)
	}
	if !tok.ExpiresAt.Equal(now.Add(3600*time.Second)) || !tok.RefreshTokenExpiresAt.Equal(now.Add(7776000*time.Second)) {
		t.Errorf("expiries = %v, %v", tok.ExpiresAt, tok.RefreshTokenExpiresAt)
	}
	if !shopify.ScopesCover(tok.Scope, "read_orders") {
		t.Error("write_orders must cover read_orders")
	}
	if fake.Calls(shopifytest.AccessTokenPath) != 1 {
		t.Errorf("token endpoint calls = %d", fake.Calls(shopifytest.AccessTokenPath))
	}

	// A code is single use.
	_, err = c.ExchangeCode(ctx, testShop, code)
	var te *shopify.TokenError
	if !errors.As(err, &te) || te.Status != http.StatusBadRequest {
		t.Errorf("reused code: err = %v, want a 400 TokenError", err)
	}
	if strings.Contains(err.Error(), code) || strings.Contains(err.Error(), testSecret) {
		t.Errorf("error text leaks the code or secret: %v", err)
	}
	// A code issued for another shop does not work here.
	if _, err := c.ExchangeCode(ctx, testShop, fake.IssueCode("other.myshopify.com")); err == nil {
		t.Error("code of another shop accepted")
	}
	// Wrong client secret.
	bad := newClient(fake, now, nil)
	bad.Secret = "wrong"
	if _, err := bad.ExchangeCode(ctx, testShop, fake.IssueCode(testShop)); err == nil {
		t.Error("wrong client secret accepted")
	}
	// Invalid shop never leaves the process.
	if _, err := c.ExchangeCode(ctx, "evil.com", "x"); !errors.Is(err, shopify.ErrInvalidShop) {
		t.Errorf("invalid shop: err = %v", err)
	}
}

func TestExchangeSessionTokenRoundTrip(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	now := time.Now()
	c := newClient(fake, now, nil)
	ctx := context.Background()

	tok, err := c.ExchangeSessionToken(ctx, testShop, fake.SessionToken(t, testShop, "42"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Scope != "read_orders" || !tok.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("token = %+v", tok)
	}

	bad := []struct {
		name  string
		token string
	}{
		{"signed with another secret", shopifytest.SessionToken(t, testKey, "other-secret", testShop, "42", now)},
		{"for another app", shopifytest.SessionToken(t, "other-app", testSecret, testShop, "42", now)},
		{"for another shop", fake.SessionToken(t, "other.myshopify.com", "42")},
		{"expired", shopifytest.SessionToken(t, testKey, testSecret, testShop, "42", now.Add(-time.Hour))},
		{"garbage", "not-a-token"},
	}
	for _, tc := range bad {
		_, err := c.ExchangeSessionToken(ctx, testShop, tc.token)
		if !errors.Is(err, shopify.ErrInvalidSubjectToken) {
			t.Errorf("%s: err = %v, want ErrInvalidSubjectToken", tc.name, err)
		} else if strings.Contains(err.Error(), tc.token) {
			t.Errorf("%s: error text contains the token", tc.name)
		}
	}
}

func TestRefreshAccessTokenRoundTrip(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	now := time.Now()
	c := newClient(fake, now, nil)
	ctx := context.Background()

	first, err := c.ExchangeCode(ctx, testShop, fake.IssueCode(testShop))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.RefreshAccessToken(ctx, testShop, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken || second.RefreshToken == "" {
		t.Errorf("refresh did not rotate the pair: %+v", second)
	}
	if second.ExpiresAt.IsZero() || second.RefreshTokenExpiresAt.IsZero() {
		t.Errorf("refreshed token lacks expiries: %+v", second)
	}
	// The old refresh token is retired.
	_, err = c.RefreshAccessToken(ctx, testShop, first.RefreshToken)
	if !errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("retired refresh token: err = %v, want ErrReauthorize", err)
	} else if strings.Contains(err.Error(), first.RefreshToken) {
		t.Error("error text contains the refresh token")
	}
	if _, err := c.RefreshAccessToken(ctx, testShop, "shprt_unknown"); !errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("unknown refresh token: err = %v, want ErrReauthorize", err)
	}
	// The new one still works.
	if _, err := c.RefreshAccessToken(ctx, testShop, second.RefreshToken); err != nil {
		t.Errorf("current refresh token: %v", err)
	}
	// A server error is not a reason to re-authorize.
	fake.FailNext(shopifytest.AccessTokenPath, http.StatusServiceUnavailable, 1)
	if _, err := c.RefreshAccessToken(ctx, testShop, "anything"); err == nil || errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("503: err = %v, want an error that is not ErrReauthorize", err)
	}
}

// TestTokenRequestShape checks what the client sends, against a bare server.
func TestTokenRequestShape(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(map[string]string{
			"host": r.Host, "path": r.URL.Path, "method": r.Method,
			"ct": r.Header.Get("Content-Type"), "accept": r.Header.Get("Accept"),
		})
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(strings.Repeat("x", 5000) + testSecret))
	}))
	defer srv.Close()
	c := &shopify.Client{APIKey: testKey, Secret: testSecret, APIVersion: apiVersion, AdminOrigin: srv.URL}
	_, err := c.ExchangeCode(context.Background(), testShop, "code123")
	if err == nil {
		t.Fatal("500 did not fail")
	}
	if strings.Contains(err.Error(), testSecret) || len(err.Error()) > 400 {
		t.Errorf("error text not redacted/truncated: %d bytes", len(err.Error()))
	}
	req := got.Load().(map[string]string)
	want := map[string]string{"host": testShop, "path": "/admin/oauth/access_token", "method": "POST",
		"ct": "application/json", "accept": "application/json"}
	for k, v := range want {
		if req[k] != v {
			t.Errorf("%s = %q, want %q", k, req[k], v)
		}
	}
}

func TestScopesCover(t *testing.T) {
	cases := []struct {
		granted, required string
		want              bool
	}{
		{"read_orders", "read_orders", true},
		{"write_orders", "read_orders", true},
		{"write_orders,read_customers", "read_orders, read_customers", true},
		{"read_orders", "write_orders", false},
		{"read_customers", "read_orders", false},
		{"", "read_orders", false},
		{"read_orders", "", true},
		{"read_orders_extra", "read_orders", false},
		{"unauthenticated_write_checkouts", "unauthenticated_read_checkouts", true},
	}
	for _, tc := range cases {
		if got := shopify.ScopesCover(tc.granted, tc.required); got != tc.want {
			t.Errorf("ScopesCover(%q, %q) = %v, want %v", tc.granted, tc.required, got, tc.want)
		}
	}
}
