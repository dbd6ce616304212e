package shopify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

func TestWebhookHMAC(t *testing.T) {
	const secret = "hush"
	body := []byte(`{"token":"abc","line_items":[]}`)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	want := base64.StdEncoding.EncodeToString(m.Sum(nil))
	if got := shopify.SignWebhook(body, secret); got != want {
		t.Fatalf("SignWebhook = %s, want %s", got, want)
	}
	if !shopify.VerifyWebhookHMAC(body, want, secret) {
		t.Fatal("valid signature rejected")
	}
	flipped := []byte(want)
	flipped[3] ^= 1
	cases := map[string]struct {
		body   []byte
		header string
		secret string
	}{
		"empty header":      {body, "", secret},
		"tampered body":     {[]byte(`{"token":"abd","line_items":[]}`), want, secret},
		"body with a space": {append(append([]byte{}, body...), ' '), want, secret},
		"other secret":      {body, shopify.SignWebhook(body, "other"), secret},
		"empty secret":      {body, shopify.SignWebhook(body, ""), ""},
		"not base64":        {body, "!!!", secret},
		"hex instead":       {body, "0a" + want[2:], secret},
		"truncated":         {body, want[:20], secret},
		"flipped":           {body, string(flipped), secret},
	}
	for name, tc := range cases {
		if shopify.VerifyWebhookHMAC(tc.body, tc.header, tc.secret) {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReadWebhookHeaders(t *testing.T) {
	classic := http.Header{}
	classic.Set("X-Shopify-Topic", "carts/update")
	classic.Set("X-Shopify-Hmac-Sha256", "mac")
	classic.Set("X-Shopify-Shop-Domain", "example.myshopify.com")
	classic.Set("X-Shopify-API-Version", "2026-10")
	classic.Set("X-Shopify-Webhook-Id", "wh-1")
	classic.Set("X-Shopify-Event-Id", "ev-1")
	classic.Set("X-Shopify-Triggered-At", "2025-07-10T16:15:47.000000Z")
	want := shopify.WebhookHeaders{Topic: "carts/update", HMAC: "mac", ShopDomain: "example.myshopify.com",
		APIVersion: "2026-10", WebhookID: "wh-1", EventID: "ev-1", TriggeredAt: "2025-07-10T16:15:47.000000Z"}
	if got := shopify.ReadWebhookHeaders(classic); got != want {
		t.Errorf("classic: got %+v, want %+v", got, want)
	}
	// Lower-case names as HTTP/2 delivers them, put in the map verbatim.
	lower := http.Header{
		"x-shopify-topic":        {"carts/update"},
		"x-shopify-hmac-sha256":  {"mac"},
		"x-shopify-shop-domain":  {"example.myshopify.com"},
		"x-shopify-api-version":  {"2026-10"},
		"x-shopify-webhook-id":   {"wh-1"},
		"x-shopify-event-id":     {"ev-1"},
		"x-shopify-triggered-at": {"2025-07-10T16:15:47.000000Z"},
	}
	if got := shopify.ReadWebhookHeaders(lower); got != want {
		t.Errorf("lower case: got %+v, want %+v", got, want)
	}
	events := http.Header{
		"shopify-topic":        {"carts/update"},
		"Shopify-Hmac-Sha256":  {"mac"},
		"shopify-shop-domain":  {"example.myshopify.com"},
		"SHOPIFY-API-VERSION":  {"2026-10"},
		"shopify-webhook-id":   {"wh-1"},
		"shopify-event-id":     {"ev-1"},
		"shopify-triggered-at": {"2025-07-10T16:15:47.000000Z"},
	}
	if got := shopify.ReadWebhookHeaders(events); got != want {
		t.Errorf("un-prefixed: got %+v, want %+v", got, want)
	}
	if got := shopify.ReadWebhookHeaders(http.Header{}); got != (shopify.WebhookHeaders{}) {
		t.Errorf("empty: got %+v", got)
	}
}
