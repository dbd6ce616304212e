// Package shopifytest runs a stand-in Shopify on loopback for tests: the
// access-token endpoint (authorization code, token exchange, refresh) and
// the GraphQL Admin API's calls the app makes (webhook subscriptions, the
// shop's details, the web pixel, the main theme's settings, Flow triggers),
// with fault injection. Each access token carries the scopes granted with it, and a
// call its scopes do not cover is refused as Shopify refuses it.
// Point shopify.Client.AdminOrigin (SHOPIFY_ADMIN_ORIGIN) at Server.URL; the
// shop is identified by the Host header the client sends.
package shopifytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

// Token lifetimes the server grants, as Shopify does for expiring offline
// tokens.
const (
	AccessTokenTTL  = 3600 * time.Second
	RefreshTokenTTL = 7776000 * time.Second
)

// Subscription is a webhook subscription held by the server. Topic is the
// GraphQL enum form ("CARTS_CREATE").
type Subscription struct {
	ID    string
	Topic string
	URI   string
}

// Server is a fake Shopify. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's origin, e.g. http://127.0.0.1:34567; use it as
	// shopify.Client.AdminOrigin.
	URL string

	// GrantScopes is the scope string granted with every token (default
	// "read_orders"). Set it before the calls that should see it.
	GrantScopes string

	// ShopTimezone and ShopCurrency answer the shop query (defaults
	// America/Toronto and CAD).
	ShopTimezone, ShopCurrency string

	apiKey, secret string
	srv            *httptest.Server

	mu         sync.Mutex
	codes      map[string]string    // authorization code → shop
	access     map[string]liveToken // access token → shop
	refresh    map[string]liveToken // refresh token → shop
	subs       map[string][]Subscription
	faults     map[string][]fault // path → queued faults
	throttles  int
	userErrors map[string]string // topic enum → message
	calls      map[string]int
	nextID     int

	pixels      map[string]webPixel // shop → the app's web pixel
	notDeployed bool                // webPixelCreate answers NO_EXTENSION
	pixelFaults []map[string]any    // user errors the next pixel mutations answer
	embeds      map[string]EmbedState
	ops         map[string]int // GraphQL operation → requests answered

	flows      map[string][]FlowTrigger // shop → the Flow triggers it received
	flowFaults []string                 // user errors the next flowTriggerReceive calls answer
}

type liveToken struct {
	shop    string
	scope   string // the scopes granted with the token
	expires time.Time
}

type fault struct {
	status int
}

// NewServer starts a fake Shopify for the app with apiKey and secret on
// 127.0.0.1 and stops it when t ends.
func NewServer(t testing.TB, apiKey, secret string) *Server {
	t.Helper()
	s := &Server{
		GrantScopes:  "read_orders",
		ShopTimezone: "America/Toronto",
		ShopCurrency: "CAD",
		apiKey:       apiKey,
		secret:       secret,
		codes:        map[string]string{},
		access:       map[string]liveToken{},
		refresh:      map[string]liveToken{},
		subs:         map[string][]Subscription{},
		faults:       map[string][]fault{},
		userErrors:   map[string]string{},
		calls:        map[string]int{},
		pixels:       map[string]webPixel{},
		embeds:       map[string]EmbedState{},
		ops:          map[string]int{},
		flows:        map[string][]FlowTrigger{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/oauth/access_token", s.handleAccessToken)
	mux.HandleFunc("POST /admin/api/{version}/graphql.json", s.handleGraphQL)
	s.srv = httptest.NewServer(s.countAndFault(mux))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// GraphQLPath returns the Admin API GraphQL path for version, for use with
// FailNext and Calls.
func GraphQLPath(version string) string {
	return "/admin/api/" + version + "/graphql.json"
}

// AccessTokenPath is the token endpoint's path, for FailNext and Calls.
const AccessTokenPath = "/admin/oauth/access_token"

// Calls returns how many requests arrived for path (faulted ones included).
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// FailNext makes the next n requests to path answer status. A 429 carries
// Retry-After: 1, as Shopify's REST and GraphQL endpoints do.
func (s *Server) FailNext(path string, status int, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[path] = append(s.faults[path], fault{status: status})
	}
}

// ThrottleNext makes the next n GraphQL requests answer HTTP 200 with a
// THROTTLED error, as Shopify does when the query cost bucket is empty.
func (s *Server) ThrottleNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttles += n
}

// UserErrorNext makes the next webhookSubscriptionCreate for topic
// ("carts/create" or "CARTS_CREATE") answer a userError with message.
func (s *Server) UserErrorNext(topic, message string) {
	enum, _ := shopify.TopicEnum(topic)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userErrors[enum] = message
}

// Subscriptions returns a copy of shop's webhook subscriptions.
func (s *Server) Subscriptions(shop string) []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Subscription(nil), s.subs[shop]...)
}

// IssueCode returns a fresh single-use authorization code for shop.
func (s *Server) IssueCode(shop string) string {
	code := randomHex(16)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = shop
	return code
}

// IssueAccessToken returns a live access token for shop without an OAuth
// round trip, for tests of Admin API calls.
func (s *Server) IssueAccessToken(shop string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := "shpat_" + randomHex(16)
	s.access[tok] = liveToken{shop: shop, scope: s.GrantScopes, expires: time.Now().Add(AccessTokenTTL)}
	return tok
}

// RevokeAccessTokens makes every access token of shop invalid (as after an
// uninstall), so Admin API calls answer 401.
func (s *Server) RevokeAccessTokens(shop string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, lt := range s.access {
		if lt.shop == shop {
			delete(s.access, tok)
		}
	}
}

// countAndFault counts every request by path and serves queued faults.
func (s *Server) countAndFault(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.URL.Path]++
		var f *fault
		if q := s.faults[r.URL.Path]; len(q) > 0 {
			f = &q[0]
			s.faults[r.URL.Path] = q[1:]
		}
		s.mu.Unlock()
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		switch f.status {
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, f.status, map[string]any{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})
		default:
			writeJSON(w, f.status, map[string]any{"errors": http.StatusText(f.status)})
		}
	})
}

// requestShop returns the shop named by the Host header, or "".
func requestShop(r *http.Request) string {
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		if _, err := strconv.Atoi(host[i+1:]); err == nil {
			host = host[:i]
		}
	}
	if !shopify.ValidShopDomain(host) {
		return ""
	}
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("shopifytest: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}
