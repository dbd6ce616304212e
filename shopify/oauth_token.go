package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Token is an access token answered by Shopify's token endpoint.
type Token struct {
	AccessToken           string
	Scope                 string
	RefreshToken          string
	ExpiresAt             time.Time // zero when the token does not expire
	RefreshTokenExpiresAt time.Time // zero when there is no refresh token
}

// Grant and token type identifiers of the token endpoint.
const (
	GrantTypeTokenExchange      = "urn:ietf:params:oauth:grant-type:token-exchange"
	GrantTypeRefreshToken       = "refresh_token"
	TokenTypeIDToken            = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeOfflineAccessToken = "urn:shopify:params:oauth:token-type:offline-access-token"
	accessTokenPath             = "/admin/oauth/access_token"
	maxTokenResponseBytes       = 1 << 20
	maxErrorBodyInError         = 200
	maxExpiresIn                = 100 * 365 * 24 * 3600 // seconds; larger values are nonsense
)

// TokenError is a non-2xx answer of the token endpoint. Body is truncated
// and has the app's secret and the submitted credential redacted.
type TokenError struct {
	Status int
	Code   string // the OAuth "error" field, when present
	Body   string
}

// Error implements error.
func (e *TokenError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("token endpoint answered %d (%s)", e.Status, e.Code)
	}
	return fmt.Sprintf("token endpoint answered %d: %s", e.Status, e.Body)
}

// ExchangeCode exchanges an authorization code for an expiring offline
// access token.
func (c *Client) ExchangeCode(ctx context.Context, shop, code string) (Token, error) {
	tok, err := c.tokenCall(ctx, shop, map[string]string{
		"client_id":     c.APIKey,
		"client_secret": c.Secret,
		"code":          code,
		"expiring":      "1",
	}, code)
	if err != nil {
		return Token{}, fmt.Errorf("shopify: exchanging code: %w", err)
	}
	return tok, nil
}

// ExchangeSessionToken exchanges a session token (App Bridge ID token) for
// an expiring offline access token. A session token Shopify rejects yields
// an error wrapping ErrInvalidSubjectToken.
func (c *Client) ExchangeSessionToken(ctx context.Context, shop, idToken string) (Token, error) {
	tok, err := c.tokenCall(ctx, shop, map[string]string{
		"client_id":            c.APIKey,
		"client_secret":        c.Secret,
		"grant_type":           GrantTypeTokenExchange,
		"subject_token":        idToken,
		"subject_token_type":   TokenTypeIDToken,
		"requested_token_type": TokenTypeOfflineAccessToken,
		"expiring":             "1",
	}, idToken)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) && te.Status == http.StatusBadRequest && te.Code == "invalid_subject_token" {
			return Token{}, fmt.Errorf("shopify: exchanging session token: %w: %w", ErrInvalidSubjectToken, err)
		}
		return Token{}, fmt.Errorf("shopify: exchanging session token: %w", err)
	}
	return tok, nil
}

// RefreshAccessToken trades a refresh token for a new access and refresh
// token pair. When Shopify refuses the refresh token (400 or 401) the error
// wraps ErrReauthorize: the shop must authorize again.
func (c *Client) RefreshAccessToken(ctx context.Context, shop, refreshToken string) (Token, error) {
	tok, err := c.tokenCall(ctx, shop, map[string]string{
		"client_id":     c.APIKey,
		"client_secret": c.Secret,
		"grant_type":    GrantTypeRefreshToken,
		"refresh_token": refreshToken,
	}, refreshToken)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) && (te.Status == http.StatusBadRequest || te.Status == http.StatusUnauthorized) {
			return Token{}, fmt.Errorf("shopify: refreshing access token: %w: %w", ErrReauthorize, err)
		}
		return Token{}, fmt.Errorf("shopify: refreshing access token: %w", err)
	}
	return tok, nil
}

// tokenResponse is the token endpoint's JSON answer.
type tokenResponse struct {
	AccessToken           string `json:"access_token"`
	Scope                 string `json:"scope"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Error                 string `json:"error"`
}

// tokenCall POSTs body as JSON to https://{shop}/admin/oauth/access_token.
// credential is the submitted code or token, redacted from error text.
func (c *Client) tokenCall(ctx context.Context, shop string, body map[string]string, credential string) (Token, error) {
	if !ValidShopDomain(shop) {
		return Token{}, ErrInvalidShop
	}
	js, err := json.Marshal(body)
	if err != nil {
		return Token{}, fmt.Errorf("encoding request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+shop+accessTokenPath, bytes.NewReader(js))
	if err != nil {
		return Token{}, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	start := c.now()
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("calling token endpoint: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponseBytes))
	if err != nil {
		return Token{}, fmt.Errorf("reading token response: %w", err)
	}
	var tr tokenResponse
	decodeErr := json.Unmarshal(raw, &tr)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Token{}, &TokenError{
			Status: resp.StatusCode,
			Code:   tr.Error,
			Body:   redactTruncate(string(raw), c.Secret, credential),
		}
	}
	if decodeErr != nil {
		return Token{}, fmt.Errorf("decoding token response: %w", decodeErr)
	}
	if tr.AccessToken == "" {
		return Token{}, errors.New("token response has no access_token")
	}
	tok := Token{AccessToken: tr.AccessToken, Scope: tr.Scope, RefreshToken: tr.RefreshToken}
	if tr.ExpiresIn > maxExpiresIn || tr.RefreshTokenExpiresIn > maxExpiresIn {
		return Token{}, errors.New("token response has an out-of-range expiry")
	}
	if tr.ExpiresIn > 0 {
		tok.ExpiresAt = start.Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	if tr.RefreshToken != "" && tr.RefreshTokenExpiresIn > 0 {
		tok.RefreshTokenExpiresAt = start.Add(time.Duration(tr.RefreshTokenExpiresIn) * time.Second)
	}
	return tok, nil
}

// redactTruncate shortens s for an error message after blanking secrets.
func redactTruncate(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxErrorBodyInError {
		s = s[:maxErrorBodyInError] + "…"
	}
	return s
}
