package shopify_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/funnelscope/funnelscope/shopify"
)

const (
	testKey    = "client-id-123"
	testSecret = "shpss_test_secret"
	testShop   = "example.myshopify.com"
)

var tokenNow = time.Unix(1_700_000_000, 0)

func verifier() shopify.SessionTokenVerifier {
	return shopify.SessionTokenVerifier{APIKey: testKey, Secret: testSecret, Now: func() time.Time { return tokenNow }}
}

// claims returns Shopify-shaped claims for testShop at tokenNow.
func claims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":  "https://" + testShop + "/admin",
		"dest": "https://" + testShop,
		"aud":  testKey,
		"sub":  "42",
		"exp":  tokenNow.Add(time.Minute).Unix(),
		"nbf":  tokenNow.Unix(),
		"iat":  tokenNow.Unix(),
		"jti":  "f8912129-1af6-4cad-9ca3-76b0f7621087",
		"sid":  "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685",
	}
}

func sign(t *testing.T, m jwt.SigningMethod, c jwt.MapClaims, key string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionTokenValid(t *testing.T) {
	got, err := verifier().Verify(sign(t, jwt.SigningMethodHS256, claims(), testSecret))
	if err != nil {
		t.Fatal(err)
	}
	want := shopify.SessionClaims{Shop: testShop, User: "42",
		SessionID: "aaea182f2732d44c23057c0fea584021a4485b2bd25d3eb7fd349313ad24c685", ExpiresAt: tokenNow.Add(time.Minute)}
	if got.Shop != want.Shop || got.User != want.User || got.SessionID != want.SessionID || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// aud as a one-element array is also valid JWT.
	c := claims()
	c["aud"] = []string{testKey}
	if _, err := verifier().Verify(sign(t, jwt.SigningMethodHS256, c, testSecret)); err != nil {
		t.Errorf("aud array rejected: %v", err)
	}
	// Within the default 10 s leeway.
	v := verifier()
	v.Now = func() time.Time { return tokenNow.Add(time.Minute + 9*time.Second) }
	if _, err := v.Verify(sign(t, jwt.SigningMethodHS256, claims(), testSecret)); err != nil {
		t.Errorf("token 9s past exp rejected despite leeway: %v", err)
	}
}

func TestSessionTokenRejects(t *testing.T) {
	with := func(k string, v any) jwt.MapClaims {
		c := claims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	cases := []struct {
		name  string
		token func(t *testing.T) string
	}{
		{"expired", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("exp", tokenNow.Add(-11*time.Second).Unix()), testSecret)
		}},
		{"no exp", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, with("exp", nil), testSecret) }},
		{"not yet valid", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("nbf", tokenNow.Add(30*time.Second).Unix()), testSecret)
		}},
		{"wrong aud", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("aud", "other-app"), testSecret)
		}},
		{"issued in the future", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("iat", tokenNow.Add(time.Hour).Unix()), testSecret)
		}},
		{"no aud", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, with("aud", nil), testSecret) }},
		{"HS512", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS512, claims(), testSecret) }},
		{"HS384", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS384, claims(), testSecret) }},
		{"alg none", func(t *testing.T) string {
			s, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"alg none, hand-made", func(t *testing.T) string {
			return noneToken(t, claims())
		}},
		{"bad signature", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, claims(), "wrong-secret") }},
		{"signature stripped", func(t *testing.T) string {
			s := sign(t, jwt.SigningMethodHS256, claims(), testSecret)
			return s[:strings.LastIndexByte(s, '.')+1]
		}},
		{"payload swapped", func(t *testing.T) string {
			good := strings.Split(sign(t, jwt.SigningMethodHS256, claims(), testSecret), ".")
			evil := strings.Split(sign(t, jwt.SigningMethodHS256, with("dest", "https://evil.myshopify.com"), "x"), ".")
			return good[0] + "." + evil[1] + "." + good[2]
		}},
		{"dest of another shop than iss", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("dest", "https://other.myshopify.com"), testSecret)
		}},
		{"iss of another shop than dest", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("iss", "https://other.myshopify.com/admin"), testSecret)
		}},
		{"iss path not /admin", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("iss", "https://"+testShop+"/checkouts"), testSecret)
		}},
		{"no iss", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, with("iss", nil), testSecret) }},
		{"no dest", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, with("dest", nil), testSecret) }},
		{"dest not a shop", func(t *testing.T) string {
			c := with("dest", "https://evil.com")
			c["iss"] = "https://evil.com/admin"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}},
		{"dest http", func(t *testing.T) string {
			c := with("dest", "http://"+testShop)
			c["iss"] = "http://" + testShop + "/admin"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}},
		{"dest with port", func(t *testing.T) string {
			c := with("dest", "https://"+testShop+":8443")
			c["iss"] = "https://" + testShop + ":8443/admin"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}},
		{"dest with path", func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, with("dest", "https://"+testShop+"/x"), testSecret)
		}},
		{"dest is a number", func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, with("dest", 5), testSecret) }},
		{"empty", func(t *testing.T) string { return "" }},
		{"garbage", func(t *testing.T) string { return "not.a.jwt" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifier().Verify(tc.token(t))
			if !errors.Is(err, shopify.ErrInvalidSessionToken) {
				t.Fatalf("err = %v, want ErrInvalidSessionToken", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatal("error text contains the secret")
			}
		})
	}
	// A verifier without credentials rejects everything.
	if _, err := (shopify.SessionTokenVerifier{}).Verify(sign(t, jwt.SigningMethodHS256, claims(), "")); err == nil {
		t.Error("empty verifier accepted a token")
	}
}

// noneToken builds an unsigned token by hand, as an attacker would.
func noneToken(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	p, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(p) + "."
}

func TestMintSessionToken(t *testing.T) {
	tok, err := shopify.MintSessionToken(testKey, testSecret, testShop, "42", tokenNow, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got, err := verifier().Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Shop != testShop || got.User != "42" || got.SessionID == "" || !got.ExpiresAt.Equal(tokenNow.Add(time.Minute)) {
		t.Errorf("claims = %+v", got)
	}
	// The payload has Shopify's shape: aud a string, jti a UUID.
	var payload map[string]any
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil || json.Unmarshal(raw, &payload) != nil {
		t.Fatal("payload is not base64url JSON")
	}
	for _, k := range []string{"iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid"} {
		if _, ok := payload[k]; !ok {
			t.Errorf("claim %s missing", k)
		}
	}
	if _, ok := payload["aud"].(string); !ok {
		t.Errorf("aud = %#v, want a string", payload["aud"])
	}
	if jti, _ := payload["jti"].(string); len(jti) != 36 {
		t.Errorf("jti = %q, want a UUID", jti)
	}
	tok2, _ := shopify.MintSessionToken(testKey, testSecret, testShop, "42", tokenNow, time.Minute)
	if tok2 == tok {
		t.Error("two minted tokens are identical (jti/sid not random)")
	}
	// Expired once the TTL and leeway have passed.
	v := verifier()
	v.Now = func() time.Time { return tokenNow.Add(time.Minute + 11*time.Second) }
	if _, err := v.Verify(tok); !errors.Is(err, shopify.ErrInvalidSessionToken) {
		t.Errorf("expired minted token: err = %v", err)
	}
	if _, err := shopify.MintSessionToken(testKey, testSecret, "evil.com", "42", tokenNow, time.Minute); err == nil {
		t.Error("minting for an invalid shop succeeded")
	}
}
