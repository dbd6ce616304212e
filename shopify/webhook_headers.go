package shopify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
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

// MaxHeaderValueBytes is the longest header value the app stores. Shopify's
// topics, API versions, ids and trigger times run to a few dozen bytes.
const MaxHeaderValueBytes = 255

// Storable returns h with every value the app stores (topic, API version,
// webhook id, event id, trigger time) that could not be stored — not valid
// UTF-8, holding a NUL, or longer than MaxHeaderValueBytes — replaced by a
// stand-in: "sha256:" and the hex SHA-256 of the value as received, so that
// a redelivery still carries the same webhook id and is still recognised.
// problem names the first such header and what is wrong with it; it is ""
// when every value is fine. HMAC and ShopDomain are left alone: the one is
// never stored, the other is checked with ValidShopDomain.
func (h WebhookHeaders) Storable() (checked WebhookHeaders, problem string) {
	for _, f := range []struct {
		name  string
		value *string
	}{
		{"X-Shopify-Topic", &h.Topic},
		{"X-Shopify-API-Version", &h.APIVersion},
		{"X-Shopify-Webhook-Id", &h.WebhookID},
		{"X-Shopify-Event-Id", &h.EventID},
		{"X-Shopify-Triggered-At", &h.TriggeredAt},
	} {
		why := ""
		switch v := *f.value; {
		case len(v) > MaxHeaderValueBytes:
			why = fmt.Sprintf("is %d bytes long, over the %d a stored value may have", len(v), MaxHeaderValueBytes)
		case !utf8.ValidString(v):
			why = "is not valid UTF-8"
		case strings.IndexByte(v, 0) >= 0:
			why = "holds a NUL character"
		default:
			continue
		}
		sum := sha256.Sum256([]byte(*f.value))
		*f.value = "sha256:" + hex.EncodeToString(sum[:])
		if problem == "" {
			problem = f.name + " " + why
		}
	}
	return h, problem
}
