package shopify

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultSessionTokenLeeway is the clock skew allowed when checking exp, nbf
// and iat, as Shopify's own libraries do.
const DefaultSessionTokenLeeway = 10 * time.Second

// SessionClaims are the verified facts of an App Bridge session token.
type SessionClaims struct {
	Shop      string // e.g. example.myshopify.com, from dest
	User      string // sub: the admin user id
	SessionID string // sid
	ExpiresAt time.Time
}

// SessionTokenVerifier verifies App Bridge session tokens (ID tokens) signed
// by Shopify with the app's client secret.
type SessionTokenVerifier struct {
	APIKey string
	Secret string
	Leeway time.Duration    // DefaultSessionTokenLeeway when zero
	Now    func() time.Time // time.Now when nil
}

// sessionTokenClaims is the JWT payload of a session token.
type sessionTokenClaims struct {
	jwt.RegisteredClaims
	Dest string `json:"dest"`
	Sid  string `json:"sid,omitempty"`
}

// Verify checks token and returns its claims. It accepts only HS256 with
// v.Secret, requires aud == v.APIKey and an exp, checks exp, nbf and iat with
// the leeway, requires dest to be https://<valid shop domain> and iss to be
// https://<the same host>/admin. Every failure wraps ErrInvalidSessionToken.
func (v SessionTokenVerifier) Verify(token string) (SessionClaims, error) {
	if v.APIKey == "" || v.Secret == "" {
		return SessionClaims{}, fmt.Errorf("%w: verifier has no API key or secret", ErrInvalidSessionToken)
	}
	leeway := v.Leeway
	if leeway == 0 {
		leeway = DefaultSessionTokenLeeway
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(v.APIKey),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
	}
	if v.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(v.Now))
	}
	var claims sessionTokenClaims
	_, err := jwt.NewParser(opts...).ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodHS256 {
			return nil, errors.New("unexpected signing method")
		}
		return []byte(v.Secret), nil
	})
	if err != nil {
		return SessionClaims{}, fmt.Errorf("%w: %w", ErrInvalidSessionToken, err)
	}
	shop, err := sessionTokenShop(claims.Dest, claims.Issuer)
	if err != nil {
		return SessionClaims{}, fmt.Errorf("%w: %w", ErrInvalidSessionToken, err)
	}
	out := SessionClaims{Shop: shop, User: claims.Subject, SessionID: claims.Sid}
	if claims.ExpiresAt != nil {
		out.ExpiresAt = claims.ExpiresAt.Time
	}
	return out, nil
}

// sessionTokenShop checks dest and iss and returns the shop domain.
func sessionTokenShop(dest, iss string) (string, error) {
	d, err := url.Parse(dest)
	if err != nil || d.Scheme != "https" || d.User != nil || d.Port() != "" ||
		(d.Path != "" && d.Path != "/") || d.RawQuery != "" || d.Fragment != "" ||
		!ValidShopDomain(d.Host) {
		return "", errors.New("dest is not https://<shop>.myshopify.com")
	}
	i, err := url.Parse(iss)
	if err != nil || i.Scheme != "https" || i.User != nil || i.Host != d.Host ||
		i.Path != "/admin" || i.RawQuery != "" || i.Fragment != "" {
		return "", errors.New("iss is not https://<dest host>/admin")
	}
	return d.Host, nil
}
