package shopifytest

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

// SignedCallbackQuery returns the query Shopify sends to the OAuth redirect
// URI: code, host, shop, state and timestamp, signed with secret.
func SignedCallbackQuery(secret, shop, code, state string, now time.Time) url.Values {
	q := url.Values{
		"code":      {code},
		"host":      {AdminHost(shop)},
		"shop":      {shop},
		"state":     {state},
		"timestamp": {strconv.FormatInt(now.Unix(), 10)},
	}
	q.Set("hmac", shopify.SignQuery(q, secret))
	return q
}

// SignedLaunchQuery returns the query of an embedded app launch in the admin:
// embedded, host, id_token, locale, session, shop and timestamp, signed with
// secret. idToken may be "" to leave it out.
func SignedLaunchQuery(secret, shop, idToken string, now time.Time) url.Values {
	q := url.Values{
		"embedded":  {"1"},
		"host":      {AdminHost(shop)},
		"locale":    {"en"},
		"session":   {strings.Repeat("ab", 32)},
		"shop":      {shop},
		"timestamp": {strconv.FormatInt(now.Unix(), 10)},
	}
	if idToken != "" {
		q.Set("id_token", idToken)
	}
	q.Set("hmac", shopify.SignQuery(q, secret))
	return q
}

// AdminHost returns the host parameter Shopify sends for shop: unpadded
// base64 of "admin.shopify.com/store/<name>".
func AdminHost(shop string) string {
	name := strings.TrimSuffix(shop, ".myshopify.com")
	return base64.RawStdEncoding.EncodeToString([]byte("admin.shopify.com/store/" + name))
}

// SessionToken mints a one-minute session token for shop and user, failing
// t on error.
func SessionToken(t testing.TB, apiKey, secret, shop, user string, now time.Time) string {
	t.Helper()
	tok, err := shopify.MintSessionToken(apiKey, secret, shop, user, now, time.Minute)
	if err != nil {
		t.Fatalf("shopifytest: minting session token: %v", err)
	}
	return tok
}

// SessionToken mints a one-minute session token for shop and user with the
// server's app credentials, valid now.
func (s *Server) SessionToken(t testing.TB, shop, user string) string {
	t.Helper()
	return SessionToken(t, s.apiKey, s.secret, shop, user, time.Now())
}

// WebhookHeaders returns the headers Shopify sends with a webhook delivery
// of body, signed with secret and triggered now.
func WebhookHeaders(secret, topic, shop, webhookID string, body []byte) http.Header {
	return delivery(topic, shop, webhookID).Header(body, secret)
}

// SignedWebhook returns a POST of body to target (e.g. app URL + "/webhooks")
// carrying the headers of a Shopify delivery signed with secret.
func SignedWebhook(target, secret, topic, shop, webhookID string, body []byte) *http.Request {
	req, err := delivery(topic, shop, webhookID).NewRequest(context.Background(), target, body, secret)
	if err != nil {
		panic("shopifytest: SignedWebhook: bad target URL: " + err.Error())
	}
	return req
}

func delivery(topic, shop, webhookID string) shopify.WebhookDelivery {
	return shopify.WebhookDelivery{Topic: topic, ShopDomain: shop, WebhookID: webhookID, TriggeredAt: time.Now()}
}
