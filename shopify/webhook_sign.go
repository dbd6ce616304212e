package shopify

import (
	"bytes"
	"context"
	"net/http"
	"time"
)

// DefaultAPIVersion is the Admin API version the app speaks unless
// configured otherwise, and the version its stand-ins serialize webhooks in.
const DefaultAPIVersion = "2026-10"

// TriggeredAtLayout is the layout of X-Shopify-Triggered-At, in UTC:
// Shopify sends e.g. 2025-07-10T16:15:47.000000Z.
const TriggeredAtLayout = "2006-01-02T15:04:05.000000Z"

// WebhookDelivery is one webhook delivery as Shopify makes it: what its
// headers say about the body. The demo, the load generator and the tests'
// stand-in Shopify all send their webhooks through it.
type WebhookDelivery struct {
	Topic      string
	ShopDomain string
	// APIVersion is the version the body is serialized in; "" is
	// DefaultAPIVersion.
	APIVersion string
	WebhookID  string
	// EventID names the merchant action behind the delivery; "" is
	// "evt-" and the webhook id, one action per delivery.
	EventID     string
	TriggeredAt time.Time
}

// Header returns the headers Shopify sends with body: topic, shop domain,
// API version, webhook id, event id and trigger time, the base64
// HMAC-SHA256 of body under secret, and the JSON content type.
func (d WebhookDelivery) Header(body []byte, secret string) http.Header {
	version, event := d.APIVersion, d.EventID
	if version == "" {
		version = DefaultAPIVersion
	}
	if event == "" {
		event = "evt-" + d.WebhookID
	}
	// Set directly: the names are already canonical, and this runs for
	// every webhook the load generator sends.
	return http.Header{
		"Content-Type":           {"application/json"},
		"X-Shopify-Topic":        {d.Topic},
		"X-Shopify-Hmac-Sha256":  {SignWebhook(body, secret)},
		"X-Shopify-Shop-Domain":  {d.ShopDomain},
		"X-Shopify-Api-Version":  {version},
		"X-Shopify-Webhook-Id":   {d.WebhookID},
		"X-Shopify-Event-Id":     {event},
		"X-Shopify-Triggered-At": {d.TriggeredAt.UTC().Format(TriggeredAtLayout)},
	}
}

// NewRequest returns a POST of body to url (an app's webhook address)
// carrying d's headers, signed with secret.
func (d WebhookDelivery) NewRequest(ctx context.Context, url string, body []byte, secret string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = d.Header(body, secret)
	return req, nil
}
