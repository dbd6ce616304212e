package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	stateCookieName = "funnelscope_oauth_state"
	stateCookiePath = "/auth/callback"
	stateLifetime   = 10 * time.Minute
)

// newState returns a fresh OAuth state nonce: 32 random bytes in hex.
func newState(random io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("app: reading random state: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// stateCookie binds a state nonce to one shop and an expiry, signed with the
// app secret so the browser cannot forge or extend it.
func (a *App) stateCookie(state, shop string, now time.Time) *http.Cookie {
	payload := state + "|" + shop + "|" + strconv.FormatInt(now.Add(stateLifetime).Unix(), 10)
	value := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + a.signState(payload)
	return &http.Cookie{
		Name:     stateCookieName,
		Value:    value,
		Path:     stateCookiePath,
		MaxAge:   int(stateLifetime / time.Second),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	}
}

// expiredStateCookie deletes the state cookie: a state is good for one callback.
func expiredStateCookie() *http.Cookie {
	return &http.Cookie{Name: stateCookieName, Value: "", Path: stateCookiePath, MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
}

// checkState verifies the cookie's signature and expiry, and that it was
// issued for this shop and this state, comparing in constant time.
func (a *App) checkState(cookie, state, shop string, now time.Time) bool {
	encoded, sig, ok := strings.Cut(cookie, ".")
	if !ok {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return false
	}
	payload := string(raw)
	if !hmac.Equal([]byte(sig), []byte(a.signState(payload))) {
		return false
	}
	parts := strings.Split(payload, "|")
	if len(parts) != 3 {
		return false
	}
	expires, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || now.Unix() > expires {
		return false
	}
	sameState := subtle.ConstantTimeCompare([]byte(parts[0]), []byte(state)) == 1
	return sameState && parts[1] == shop
}

func (a *App) signState(payload string) string {
	m := hmac.New(sha256.New, []byte("funnelscope-oauth-state:"+a.cfg.APISecret))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
