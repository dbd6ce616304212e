package shopify_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

// TestWebhookDeliveryHeader: what the builder signs is what the app reads
// back, under canonical header names, with the body's HMAC, Shopify's
// trigger-time layout and the defaults for version and event id.
func TestWebhookDeliveryHeader(t *testing.T) {
	const secret = "hush"
	body := []byte(`{"token":"abc"}`)
	at := time.Date(2026, 3, 1, 7, 8, 9, 123456789, time.FixedZone("EST", -5*3600))
	d := shopify.WebhookDelivery{Topic: "carts/create", ShopDomain: "a.myshopify.com", WebhookID: "wh-1", TriggeredAt: at}
	h := d.Header(body, secret)
	for k := range h {
		if k != http.CanonicalHeaderKey(k) {
			t.Errorf("header %q is not in canonical form", k)
		}
	}
	got := shopify.ReadWebhookHeaders(h)
	want := shopify.WebhookHeaders{
		Topic: "carts/create", HMAC: shopify.SignWebhook(body, secret), ShopDomain: "a.myshopify.com",
		APIVersion: shopify.DefaultAPIVersion, WebhookID: "wh-1", EventID: "evt-wh-1", TriggeredAt: "2026-03-01T12:08:09.123456Z",
	}
	if got != want {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if !shopify.VerifyWebhookHMAC(body, got.HMAC, secret) || h.Get("Content-Type") != "application/json" {
		t.Errorf("signature or content type wrong: %v", h)
	}
	if len(h) != 8 {
		t.Errorf("%d headers, want 8: %v", len(h), h)
	}

	d.APIVersion, d.EventID = "2025-01", "evt-shared"
	if got := shopify.ReadWebhookHeaders(d.Header(body, secret)); got.APIVersion != "2025-01" || got.EventID != "evt-shared" {
		t.Errorf("given version and event id not kept: %+v", got)
	}

	req, err := d.NewRequest(t.Context(), "http://app.test/webhooks", body, secret)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := io.ReadAll(req.Body)
	if req.Method != http.MethodPost || req.URL.String() != "http://app.test/webhooks" || string(sent) != string(body) ||
		!shopify.VerifyWebhookHMAC(sent, req.Header.Get("X-Shopify-Hmac-Sha256"), secret) {
		t.Errorf("request %s %s %q %v", req.Method, req.URL, sent, req.Header)
	}
	if _, err := d.NewRequest(t.Context(), "http://bad host/", body, secret); err == nil {
		t.Error("a malformed URL gave no error")
	}
}
