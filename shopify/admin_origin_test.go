package shopify_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

func TestAuthorizeURL(t *testing.T) {
	c := &shopify.Client{APIKey: testKey, Secret: testSecret, AdminOrigin: "http://127.0.0.1:1"}
	raw := c.AuthorizeURL(testShop, "nonce-1", "https://app.example.com/auth/callback", "read_orders,write_pixels")
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != testShop || u.Path != "/admin/oauth/authorize" {
		t.Errorf("URL = %s (the browser URL must ignore AdminOrigin)", raw)
	}
	q := u.Query()
	want := map[string]string{"client_id": testKey, "scope": "read_orders,write_pixels",
		"redirect_uri": "https://app.example.com/auth/callback", "state": "nonce-1"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if _, ok := q["grant_options[]"]; ok {
		t.Error("offline grant must not ask for per-user tokens")
	}
	for _, bad := range []string{"evil.com", "evil.example/x?myshopify.com", "x.myshopify.com.evil.com"} {
		if got := c.AuthorizeURL(bad, "s", "https://app", "read_orders"); got != "" {
			t.Errorf("AuthorizeURL(%q) = %q, want empty", bad, got)
		}
	}
}

func TestAdminOriginTransport(t *testing.T) {
	type seen struct{ host, uri string }
	ch := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ch <- seen{r.Host, r.URL.RequestURI()}
	}))
	defer srv.Close()
	hc := &http.Client{Transport: shopify.AdminOriginTransport{Origin: srv.URL}}
	resp, err := hc.Get("https://" + testShop + "/admin/api/2026-10/graphql.json?a=b")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	got := <-ch
	if got.host != testShop || got.uri != "/admin/api/2026-10/graphql.json?a=b" {
		t.Errorf("server saw Host %q, URI %q", got.host, got.uri)
	}
	// Requests to other hosts pass through untouched.
	passthrough := &http.Client{Transport: shopify.AdminOriginTransport{Origin: "http://127.0.0.1:1"}}
	resp, err = passthrough.Get(srv.URL + "/other")
	if err != nil {
		t.Fatalf("non-shop request was rerouted: %v", err)
	}
	_ = resp.Body.Close()
	if got := <-ch; got.uri != "/other" {
		t.Errorf("passthrough URI = %q", got.uri)
	}
	bad := &http.Client{Transport: shopify.AdminOriginTransport{Origin: "://bad"}}
	if resp, err := bad.Get("https://" + testShop + "/"); err == nil {
		_ = resp.Body.Close()
		t.Error("a malformed origin must fail the request")
	}
}
