package shopify_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

func FuzzVerifyQueryHMAC(f *testing.F) {
	f.Add(docQuery, "hush")
	f.Add("code=a&hmac=zz&shop=x.myshopify.com", "s")
	f.Add("hmac=1&hmac=2", "s")
	f.Add("a=%20+%2B&b=~*&hmac=", "")
	f.Fuzz(func(t *testing.T, rawQuery, secret string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		ok := shopify.VerifyQueryHMAC(q, secret)
		if ok && secret == "" {
			t.Fatal("verified with an empty secret")
		}
		// Re-signing must always verify when keys are unique and a secret is set.
		unique := true
		for _, vs := range q {
			unique = unique && len(vs) == 1
		}
		if secret != "" && unique {
			q.Set("hmac", shopify.SignQuery(q, secret))
			if !shopify.VerifyQueryHMAC(q, secret) {
				t.Fatalf("SignQuery output rejected for %q", rawQuery)
			}
		}
	})
}

func FuzzSessionToken(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	good, err := shopify.MintSessionToken(testKey, testSecret, testShop, "42", now, time.Minute)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	v := shopify.SessionTokenVerifier{APIKey: testKey, Secret: testSecret, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(token)
		if err == nil && !shopify.ValidShopDomain(c.Shop) {
			t.Fatalf("accepted token with shop %q", c.Shop)
		}
	})
}

// seedPayloads adds every fixture of testdata/shopify to the corpus (failing if missing).
func seedPayloads(f *testing.F) {
	for name := range fixtureTopics() {
		f.Add(testkit.Fixture(f, name))
	}
	f.Add([]byte(`{"token":"t","line_items":[{"id":1,"quantity":1,"line_price":"1.00"}]}`))
	f.Add([]byte(`null`))
	// Poison: a quantity of 2^31, a price × quantity past int64, a
	// negative price, times in year 1 and 2999, NULs and invalid UTF-8.
	f.Add([]byte(`{"id":1,"token":"t","line_items":[{"quantity":2147483648,"price":"1.00"}]}`))
	f.Add([]byte(`{"id":1,"token":"t","line_items":[{"quantity":2,"price":"92233720368547758.07"}]}`))
	f.Add([]byte(`{"id":1,"token":"t","total_price":"-5.00","line_items":[{"quantity":1,"line_price":"-5.00"}]}`))
	f.Add([]byte(`{"id":1,"token":"t","completed_at":"0001-03-04T05:06:07Z","processed_at":"2999-01-01T00:00:00Z","cancelled_at":"0001-01-01T00:00:00+01:00"}`))
	f.Add([]byte("{\"id\":1,\"token\":\"t\\u0000\",\"email\":\"a\\u0000@b\xff\",\"line_items\":[{\"title\":\"\\ud800\\u0000\"}]}"))
	f.Add([]byte(`{"shop_domain":"a.myshopify.com","customer":{"email":"john\u0000@example.com"}}`))
}

// FuzzParsedTextIsStorable: whatever a body holds, the text a parser
// returns is storable (valid UTF-8, no NUL), and its times can be listed.
func FuzzParsedTextIsStorable(f *testing.F) {
	seedPayloads(f)
	topics := []string{shopify.TopicCartsCreate, shopify.TopicCheckoutsCreate, shopify.TopicOrdersCreate,
		shopify.TopicAppUninstalled, shopify.TopicCustomersDataRequest, shopify.TopicCustomersRedact, shopify.TopicShopRedact}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, topic := range topics {
			v, err := shopify.ParsePayload(topic, body)
			if err != nil {
				continue
			}
			storableStrings(t, topic, reflect.ValueOf(v))
			_ = shopify.PayloadTimes(v)
			if _, _, err := shopify.BodyShop(topic, body); err == nil && topic == shopify.TopicAppUninstalled && v.(shopify.AppUninstalled).MyshopifyDomain == "" {
				t.Fatal("BodyShop accepted an app/uninstalled body naming no shop")
			}
		}
	})
}

// FuzzWebhookHeadersStorable: every header value the app stores comes out
// of Storable within bounds, and the same each time.
func FuzzWebhookHeadersStorable(f *testing.F) {
	f.Add("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "2026-10", "carts/create")
	f.Add("id-\xff\xfe", "2026\x00", strings.Repeat("x", 600))
	f.Fuzz(func(t *testing.T, id, version, topic string) {
		h := shopify.WebhookHeaders{WebhookID: id, APIVersion: version, Topic: topic, EventID: id, TriggeredAt: version}
		got, problem := h.Storable()
		again, _ := h.Storable()
		if got != again {
			t.Fatal("two stand-ins for one value")
		}
		for _, v := range []string{got.WebhookID, got.APIVersion, got.Topic, got.EventID, got.TriggeredAt} {
			if len(v) > shopify.MaxHeaderValueBytes || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				t.Fatalf("unstorable %q after Storable", v)
			}
		}
		if (problem == "") != (got == h) {
			t.Fatalf("problem %q but values changed: %v", problem, got != h)
		}
	})
}

func FuzzParseCheckout(f *testing.F) {
	seedPayloads(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := shopify.ParseCheckout(body)
		if err == nil && c.Token == "" {
			t.Fatal("accepted a checkout without token")
		}
		_ = c.RequiresShipping()
	})
}

func FuzzParseOrder(f *testing.F) {
	seedPayloads(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := shopify.ParseOrder(body)
		if err == nil && o.ID <= 0 {
			t.Fatal("accepted an order without id")
		}
		_ = o.StorefrontOrder()
	})
}

func FuzzParseCart(f *testing.F) {
	seedPayloads(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := shopify.ParseCart(body)
		if err == nil && c.Token == "" {
			t.Fatal("accepted a cart without token")
		}
		_ = c.Currency()
	})
}
