package shopify_test

import (
	"net/url"
	"testing"
	"time"

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
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"token":"t","line_items":[{"id":1,"quantity":1,"line_price":"1.00"}]}`))
	f.Add([]byte(`null`))
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
