package shopify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/funnelscope/funnelscope/shopify"
)

// Shopify's documented example: secret "hush".
const docQuery = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173"

func mac(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestVerifyQueryHMACKnownAnswer(t *testing.T) {
	q, err := url.ParseQuery(docQuery)
	if err != nil {
		t.Fatal(err)
	}
	if !shopify.VerifyQueryHMAC(q, "hush") {
		t.Fatal("Shopify's documented example does not verify")
	}
	if got := shopify.SignQuery(q, "hush"); got != q.Get("hmac") {
		t.Errorf("SignQuery = %s, want %s", got, q.Get("hmac"))
	}
}

func TestVerifyQueryHMACEncodings(t *testing.T) {
	const secret = "s3cret"
	q := url.Values{
		"code":      {"some code goes here"},
		"host":      {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdC1zaG9w+/~*"},
		"shop":      {"the shop URL"},
		"timestamp": {"1700000000"},
	}
	// shopify-app-js form: WHATWG form encoding, %20 for space.
	jsForm := "code=some%20code%20goes%20here&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdC1zaG9w%2B%2F%7E*&shop=the%20shop%20URL&timestamp=1700000000"
	// go-shopify form: raw values.
	rawForm := "code=some code goes here&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdC1zaG9w+/~*&shop=the shop URL&timestamp=1700000000"
	// Ruby form (space as +) is neither and must not verify.
	rubyForm := "code=some+code+goes+here&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvdGVzdC1zaG9w%2B%2F~*&shop=the+shop+URL&timestamp=1700000000"

	if got, want := shopify.SignQuery(q, secret), mac(secret, jsForm); got != want {
		t.Errorf("SignQuery does not use the JS canonical form: %s != %s", got, want)
	}
	for name, msg := range map[string]string{"js": jsForm, "raw": rawForm} {
		v := cloneValues(q)
		v.Set("hmac", mac(secret, msg))
		if !shopify.VerifyQueryHMAC(v, secret) {
			t.Errorf("%s form rejected", name)
		}
	}
	v := cloneValues(q)
	v.Set("hmac", mac(secret, rubyForm))
	if shopify.VerifyQueryHMAC(v, secret) {
		t.Error("a MAC over a different canonical string was accepted")
	}
}

func TestVerifyQueryHMACRejects(t *testing.T) {
	const secret = "s3cret"
	base := func() url.Values {
		q := url.Values{"code": {"abc"}, "shop": {"example.myshopify.com"}, "state": {"xyz"}, "timestamp": {"1700000000"}}
		q.Set("hmac", shopify.SignQuery(q, secret))
		return q
	}
	if !shopify.VerifyQueryHMAC(base(), secret) {
		t.Fatal("valid query rejected")
	}
	withSig := base()
	withSig.Set("signature", "ignored")
	if !shopify.VerifyQueryHMAC(withSig, secret) {
		t.Error("signature parameter must be left out of the message")
	}
	cases := map[string]func(q url.Values){
		"missing hmac":      func(q url.Values) { q.Del("hmac") },
		"empty hmac":        func(q url.Values) { q.Set("hmac", "") },
		"repeated hmac":     func(q url.Values) { q.Add("hmac", q.Get("hmac")) },
		"repeated key":      func(q url.Values) { q.Add("state", "xyz") },
		"tampered shop":     func(q url.Values) { q.Set("shop", "evil.myshopify.com") },
		"added parameter":   func(q url.Values) { q.Set("admin", "1") },
		"removed parameter": func(q url.Values) { q.Del("state") },
		"forged with other key": func(q url.Values) {
			q.Del("hmac")
			q.Set("hmac", shopify.SignQuery(q, "other"))
		},
		"hmac not hex":      func(q url.Values) { q.Set("hmac", "zz"+q.Get("hmac")[2:]) },
		"hmac truncated":    func(q url.Values) { q.Set("hmac", q.Get("hmac")[:62]) },
		"hmac bit flipped":  func(q url.Values) { h := []byte(q.Get("hmac")); h[0] ^= 1; q.Set("hmac", string(h)) },
		"hmac base64 style": func(q url.Values) { q.Set("hmac", "cGxlYXNl") },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			q := base()
			mutate(q)
			if shopify.VerifyQueryHMAC(q, secret) {
				t.Fatal("accepted")
			}
		})
	}
	if shopify.VerifyQueryHMAC(base(), "") {
		t.Error("empty secret must never verify")
	}
	emptyKey := url.Values{"shop": {"example.myshopify.com"}}
	emptyKey.Set("hmac", shopify.SignQuery(emptyKey, ""))
	if shopify.VerifyQueryHMAC(emptyKey, "") {
		t.Error("a MAC with an empty secret was accepted")
	}
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
