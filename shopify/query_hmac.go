package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// VerifyQueryHMAC reports whether the hmac parameter of an install request
// or OAuth callback query was made with secret.
//
// The message is every other parameter (hmac and signature are dropped),
// sorted by key and joined as key=value with "&". Shopify's JS library
// form-encodes keys and values (space as %20); go-shopify uses the raw,
// unescaped values. Either form is accepted: both are keyed MACs, so
// accepting two does not help a forger. A missing, repeated or non-hex hmac,
// or any repeated key, makes the query invalid. The comparison is constant
// time.
func VerifyQueryHMAC(q url.Values, secret string) bool {
	if secret == "" {
		return false
	}
	got := q["hmac"]
	if len(got) != 1 {
		return false
	}
	mac, err := hex.DecodeString(got[0])
	if err != nil || len(mac) != sha256.Size {
		return false
	}
	keys, ok := signedKeys(q)
	if !ok {
		return false
	}
	canonical := queryMAC(secret, canonicalQuery(q, keys, formEncode))
	raw := queryMAC(secret, canonicalQuery(q, keys, func(s string) string { return s }))
	// Evaluate both comparisons so the timing does not reveal which matched.
	okCanonical := hmac.Equal(mac, canonical)
	okRaw := hmac.Equal(mac, raw)
	return okCanonical || okRaw
}

// SignQuery returns the hex hmac of q (hmac and signature excluded) in the
// canonical form of Shopify's JS library. Tests and the fake Shopify use it.
func SignQuery(q url.Values, secret string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return hex.EncodeToString(queryMAC(secret, canonicalQuery(q, keys, formEncode)))
}

// signedKeys returns the sorted keys covered by the hmac, or false when a key
// is repeated.
func signedKeys(q url.Values) ([]string, bool) {
	keys := make([]string, 0, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, false
		}
		if k == "hmac" || k == "signature" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, true
}

func canonicalQuery(q url.Values, keys []string, enc func(string) string) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v := ""
		if vs := q[k]; len(vs) > 0 {
			v = vs[0]
		}
		b.WriteString(enc(k))
		b.WriteByte('=')
		b.WriteString(enc(v))
	}
	return b.String()
}

func queryMAC(secret, message string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(message))
	return m.Sum(nil)
}

// formEncode is WHATWG application/x-www-form-urlencoded serialization (what
// URLSearchParams produces) with space written as %20, as shopify-app-js
// signs. Only ASCII alphanumerics and "*-._" are left as they are.
func formEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
