package shopifytest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

const (
	key    = "client-id"
	secret = "shpss_secret"
	shop   = "example.myshopify.com"
)

func TestSignedHelpersVerify(t *testing.T) {
	now := time.Now()
	q := shopifytest.SignedCallbackQuery(secret, shop, "code1", "state1", now)
	if !shopify.VerifyQueryHMAC(q, secret) {
		t.Error("SignedCallbackQuery does not verify")
	}
	if err := shopify.CheckTimestamp(q, now, shopify.QueryTimestampTolerance); err != nil {
		t.Error(err)
	}
	l := shopifytest.SignedLaunchQuery(secret, shop, "tok", now)
	if !shopify.VerifyQueryHMAC(l, secret) || l.Get("id_token") != "tok" || l.Get("embedded") != "1" {
		t.Errorf("SignedLaunchQuery = %v", l)
	}
	body := []byte(`{"token":"abc"}`)
	var got struct {
		h    shopify.WebhookHeaders
		body []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.h = shopify.ReadWebhookHeaders(r.Header)
		got.body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	resp, err := http.DefaultClient.Do(shopifytest.SignedWebhook(srv.URL+"/webhooks", secret, "carts/create", shop, "wh-1", body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got.h.Topic != "carts/create" || got.h.ShopDomain != shop || got.h.WebhookID != "wh-1" ||
		!shopify.VerifyWebhookHMAC(got.body, got.h.HMAC, secret) {
		t.Errorf("delivery = %+v", got.h)
	}
}

func TestTokenEndpointFormBodyAndHost(t *testing.T) {
	s := shopifytest.NewServer(t, key, secret)
	post := func(host string, form url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL+shopifytest.AccessTokenPath, strings.NewReader(form.Encode()))
		req.Host = host
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	form := url.Values{"client_id": {key}, "client_secret": {secret}, "code": {s.IssueCode(shop)}, "expiring": {"1"}}
	if code := post(shop, form); code != http.StatusOK {
		t.Errorf("form body: status %d", code)
	}
	form.Set("code", s.IssueCode(shop))
	if code := post("127.0.0.1", form); code != http.StatusNotFound {
		t.Errorf("no shop in Host: status %d", code)
	}
	form.Set("code", s.IssueCode(shop))
	form.Set("expiring", "0")
	if code := post(shop, form); code != http.StatusBadRequest {
		t.Errorf("non-expiring token request: status %d", code)
	}
}

func TestServerConcurrentUse(t *testing.T) {
	s := shopifytest.NewServer(t, key, secret)
	c := &shopify.Client{APIKey: key, Secret: secret, APIVersion: "2026-10", AdminOrigin: s.URL}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shopName := "shop" + string(rune('a'+i)) + ".myshopify.com"
			tok, err := c.ExchangeCode(t.Context(), shopName, s.IssueCode(shopName))
			if err != nil {
				t.Error(err)
				return
			}
			if err := c.RegisterWebhooks(t.Context(), shopName, tok.AccessToken, "https://app.example.com/webhooks", []string{shopify.TopicCartsCreate, shopify.TopicCartsUpdate, shopify.TopicCheckoutsCreate,
				shopify.TopicCheckoutsUpdate, shopify.TopicCheckoutsDelete, shopify.TopicOrdersCreate, shopify.TopicAppUninstalled}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i := range 8 {
		if n := len(s.Subscriptions("shop" + string(rune('a'+i)) + ".myshopify.com")); n != 7 {
			t.Errorf("shop %d: %d subscriptions", i, n)
		}
	}
}
