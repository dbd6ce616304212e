package shopify

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultSessionTokenTTL is the lifetime of tokens Shopify issues.
const DefaultSessionTokenTTL = time.Minute

// MintSessionToken builds a session token for shop and user the way Shopify
// does (HS256 with secret; iss, dest, aud, sub, exp, nbf, iat, jti, sid). It
// serves demo mode and tests. A ttl of zero or less means
// DefaultSessionTokenTTL.
func MintSessionToken(apiKey, secret, shop, user string, now time.Time, ttl time.Duration) (string, error) {
	if !ValidShopDomain(shop) {
		return "", fmt.Errorf("shopify: minting session token: %w", ErrInvalidShop)
	}
	if apiKey == "" || secret == "" {
		return "", fmt.Errorf("shopify: minting session token: empty API key or secret")
	}
	if ttl <= 0 {
		ttl = DefaultSessionTokenTTL
	}
	jti, err := randomUUID()
	if err != nil {
		return "", fmt.Errorf("shopify: minting session token: %w", err)
	}
	sid, err := randomHex(32)
	if err != nil {
		return "", fmt.Errorf("shopify: minting session token: %w", err)
	}
	// MapClaims keeps aud a plain string, as Shopify sends it (jwt's
	// RegisteredClaims would marshal a one-element array).
	claims := jwt.MapClaims{
		"iss":  "https://" + shop + "/admin",
		"dest": "https://" + shop,
		"aud":  apiKey,
		"sub":  user,
		"exp":  now.Add(ttl).Unix(),
		"nbf":  now.Unix(),
		"iat":  now.Unix(),
		"jti":  jti,
		"sid":  sid,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		return "", fmt.Errorf("shopify: minting session token: %w", err)
	}
	return s, nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// randomUUID returns a random (version 4) UUID string.
func randomUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
