package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

const (
	testAPIKey = "test-api-key"
	testSecret = "test-api-secret-0123456789"
)

// clock is a settable clock shared by the app and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// harness is the whole app behind a real HTTP server, on a real database,
// talking to a stand-in Shopify on loopback.
type harness struct {
	t       *testing.T
	app     *app.App
	srv     *httptest.Server
	store   *store.Store
	shopify *shopifytest.Server
	clock   *clock
	logs    *logBuffer
	client  *http.Client
}

func newHarness(t *testing.T, st *store.Store, mutate ...func(*app.Config)) *harness {
	t.Helper()
	h := &harness{t: t, store: st, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}, logs: &logBuffer{}}
	h.shopify = shopifytest.NewServer(t, testAPIKey, testSecret)
	h.srv = httptest.NewUnstartedServer(nil)
	cfg := app.Config{
		APIKey:           testAPIKey,
		APISecret:        testSecret,
		AppURL:           "http://" + h.srv.Listener.Addr().String(),
		Scopes:           "read_orders",
		APIVersion:       "2026-10",
		AbandonAfter:     time.Hour,
		PayloadRetention: 7 * 24 * time.Hour,
		AdminOrigin:      h.shopify.URL,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(cfg, st, app.Options{Logger: logger, Now: h.clock.Now, JobPollInterval: 50 * time.Millisecond, ManualScans: true})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	h.app = a
	h.srv.Config.Handler = a.Handler()
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	if err := a.Start(t.Context()); err != nil {
		t.Fatalf("app.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := contextWithTimeout(5 * time.Second)
		defer cancel()
		_ = a.Stop(ctx)
	})
	h.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return h
}

// logBuffer lets the app's goroutines log into one buffer while a test
// reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// logText returns what the app has logged so far.
func (h *harness) logText() string {
	h.logs.mu.Lock()
	defer h.logs.mu.Unlock()
	return h.logs.buf.String()
}

// do sends a request to the app and returns the response with its body read.
func (h *harness) do(req *http.Request) (*http.Response, []byte) {
	h.t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("reading body: %v", err)
	}
	return resp, body
}

func (h *harness) get(path string) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(req)
}

// sessionToken mints a session token for shop, as App Bridge would.
func (h *harness) sessionToken(shop string) string {
	h.t.Helper()
	tok, err := shopify.MintSessionToken(testAPIKey, testSecret, shop, "42", h.clock.Now(), time.Minute)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// api calls an /api route as the embedded page does for shop.
func (h *harness) api(method, path, shop string, body any) (*http.Response, []byte) {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.sessionToken(shop))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.do(req)
}

// webhook signs and posts a payload as Shopify does.
func (h *harness) webhook(topic, shop, webhookID string, body []byte) (*http.Response, []byte) {
	h.t.Helper()
	return h.do(shopifytest.SignedWebhook(h.srv.URL+"/webhooks", testSecret, topic, shop, webhookID, body))
}

// install puts a shop in the store with live tokens, as after an install.
func (h *harness) install(shop string) store.Shop {
	h.t.Helper()
	s, err := h.store.InstallShop(h.t.Context(), shop, store.Tokens{
		AccessToken: "shpat_" + strings.ReplaceAll(shop, ".", "_"), Scope: "read_orders",
	}, nil)
	if err != nil {
		h.t.Fatalf("installing %s: %v", shop, err)
	}
	return s
}

// eventually polls cond until it holds or the deadline passes; it bounds a
// wait for background work, it does not assert speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// fixture reads a payload from the repository's testdata/shopify; a missing
// fixture fails the test.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "shopify", name))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// forEachDialect runs fn on a fresh PostgreSQL schema and a fresh SQLite file.
func forEachDialect(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	storetest.ForEach(t, fn)
}
