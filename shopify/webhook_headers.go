package shopify

import (
	"net/http"
	"strings"
)

// WebhookHeaders holds the Shopify headers of a webhook delivery.
type WebhookHeaders struct {
	Topic       string
	HMAC        string
	ShopDomain  string
	APIVersion  string
	WebhookID   string
	EventID     string
	TriggeredAt string
}

// ReadWebhookHeaders reads the delivery headers from h, accepting both the
// classic X-Shopify-* names and the un-prefixed shopify-* names of the newer
// events system, in any letter case. The X-Shopify-* form wins when both are
// present.
func ReadWebhookHeaders(h http.Header) WebhookHeaders {
	get := func(name string) string {
		if v := headerFold(h, "X-Shopify-"+name); v != "" {
			return v
		}
		return headerFold(h, "Shopify-"+name)
	}
	return WebhookHeaders{
		Topic:       get("Topic"),
		HMAC:        get("Hmac-Sha256"),
		ShopDomain:  get("Shop-Domain"),
		APIVersion:  get("API-Version"),
		WebhookID:   get("Webhook-Id"),
		EventID:     get("Event-Id"),
		TriggeredAt: get("Triggered-At"),
	}
}

// headerFold looks name up case-insensitively, also in maps whose keys were
// not canonicalized (e.g. built by hand with lower-case HTTP/2 names).
func headerFold(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
	}
	return ""
}
