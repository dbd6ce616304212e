package shopifytest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

// handleAccessToken serves POST /admin/oauth/access_token: authorization
// code, token exchange and refresh grants, with JSON or form bodies.
func (s *Server) handleAccessToken(w http.ResponseWriter, r *http.Request) {
	shop := requestShop(r)
	if shop == "" {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
		return
	}
	p, ok := readParams(r)
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(p["client_id"]), []byte(s.apiKey)) != 1 ||
		subtle.ConstantTimeCompare([]byte(p["client_secret"]), []byte(s.secret)) != 1 {
		oauthError(w, http.StatusBadRequest, "invalid_client", "Client authentication failed.")
		return
	}
	switch p["grant_type"] {
	case "", "authorization_code":
		s.grantCode(w, shop, p)
	case shopify.GrantTypeTokenExchange:
		s.grantTokenExchange(w, shop, p)
	case shopify.GrantTypeRefreshToken:
		s.grantRefresh(w, shop, p)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported.")
	}
}

func (s *Server) grantCode(w http.ResponseWriter, shop string, p map[string]string) {
	s.mu.Lock()
	codeShop, known := s.codes[p["code"]]
	delete(s.codes, p["code"]) // single use, even when misused
	s.mu.Unlock()
	if !known || codeShop != shop {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The authorization code was not found or was already used.")
		return
	}
	if p["expiring"] != "1" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "This app must request expiring offline access tokens (expiring=1).")
		return
	}
	s.writeTokenPair(w, shop)
}

func (s *Server) grantTokenExchange(w http.ResponseWriter, shop string, p map[string]string) {
	if p["subject_token_type"] != shopify.TokenTypeIDToken ||
		p["requested_token_type"] != shopify.TokenTypeOfflineAccessToken {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Unsupported token type.")
		return
	}
	v := shopify.SessionTokenVerifier{APIKey: s.apiKey, Secret: s.secret}
	claims, err := v.Verify(p["subject_token"])
	if err != nil || claims.Shop != shop {
		oauthError(w, http.StatusBadRequest, "invalid_subject_token", "The subject token is invalid.")
		return
	}
	if p["expiring"] != "1" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "This app must request expiring offline access tokens (expiring=1).")
		return
	}
	s.writeTokenPair(w, shop)
}

func (s *Server) grantRefresh(w http.ResponseWriter, shop string, p map[string]string) {
	s.mu.Lock()
	lt, known := s.refresh[p["refresh_token"]]
	s.mu.Unlock()
	if !known || lt.shop != shop || time.Now().After(lt.expires) {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The refresh token is invalid or expired.")
		return
	}
	s.writeTokenPair(w, shop)
}

// writeTokenPair issues an access and refresh token for shop, retiring the
// shop's previous refresh token (one refreshable token per app and store).
func (s *Server) writeTokenPair(w http.ResponseWriter, shop string) {
	access := "shpat_" + randomHex(16)
	refresh := "shprt_" + randomHex(16)
	now := time.Now()
	s.mu.Lock()
	for tok, lt := range s.refresh {
		if lt.shop == shop {
			delete(s.refresh, tok)
		}
	}
	scope := s.GrantScopes
	s.access[access] = liveToken{shop: shop, scope: scope, expires: now.Add(AccessTokenTTL)}
	s.refresh[refresh] = liveToken{shop: shop, scope: scope, expires: now.Add(RefreshTokenTTL)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":             access,
		"scope":                    scope,
		"expires_in":               int(AccessTokenTTL / time.Second),
		"refresh_token":            refresh,
		"refresh_token_expires_in": int(RefreshTokenTTL / time.Second),
	})
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description})
}

// readParams reads a JSON object of strings or a form body.
func readParams(r *http.Request) (map[string]string, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	out := map[string]string{}
	if mt == "application/x-www-form-urlencoded" {
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, false
		}
		for k := range q {
			out[k] = q.Get(k)
		}
		return out, true
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, false
	}
	for k, v := range raw {
		str, ok := v.(string)
		if !ok {
			return nil, false
		}
		out[k] = str
	}
	return out, true
}
