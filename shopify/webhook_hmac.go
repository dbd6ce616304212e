package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// VerifyWebhookHMAC reports whether header (the X-Shopify-Hmac-Sha256 value)
// is the base64 HMAC-SHA256 of the raw body under secret. An empty header or
// secret is never valid. The comparison is constant time.
func VerifyWebhookHMAC(body []byte, header string, secret string) bool {
	if header == "" || secret == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	return hmac.Equal(got, webhookMAC(body, secret))
}

// SignWebhook returns the base64 HMAC-SHA256 of body under secret, the value
// Shopify sends in X-Shopify-Hmac-Sha256.
func SignWebhook(body []byte, secret string) string {
	return base64.StdEncoding.EncodeToString(webhookMAC(body, secret))
}

func webhookMAC(body []byte, secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}
