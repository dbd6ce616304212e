package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

const (
	testAPIKey = "test-api-key"
	testSecret = "test-api-secret-0123456789"
)

// jobPollInterval is how often the harness's job workers look for work on
// each dialect. Looking is the only way River on PostgreSQL through
// database/sql learns of new jobs. On SQLite its listener wakes the workers
// for a new job within 50 ms, so only a retry, due a moment after its
// failure, waits for the look; and each look parses its query afresh under
// the race detector: at 50 ms looking was a third of the package's CPU. The
// tests wait for what jobs do, never for a time.
func jobPollInterval(dialect string) time.Duration {
	if dialect == store.DialectSQLite {
		return time.Second
	}
	return 200 * time.Millisecond
}

// harness is the whole app behind a real HTTP server, on a real database,
// talking to a stand-in Shopify on loopback.
type harness struct {
	t       *testing.T
	app     *app.App
	srv     *httptest.Server
	store   *store.Store
	shopify *shopifytest.Server
	clock   *testkit.Clock
	logs    *testkit.LogBuffer
	client  *http.Client
}

func newHarness(t *testing.T, st *store.Store, mutate ...func(*app.Config)) *harness {
	t.Helper()
	h := &harness{t: t, store: st, clock: testkit.NewClock(time.Now().UTC().Truncate(time.Second)), logs: &testkit.LogBuffer{}}
	h.shopify = shopifytest.NewServer(t, testAPIKey, testSecret)
	a, srv, err := startApp(t.Context(), st, h.clock, h.logs, h.shopify.URL, mutate...)
	if err != nil {
		t.Fatal(err)
	}
	h.app, h.srv = a, srv
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() {
		ctx, cancel := contextWithTimeout(5 * time.Second)
		defer cancel()
		_ = a.Stop(ctx)
	})
	h.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return h
}

// startApp starts the app on st, configured as the tests configure it
// (then changed by mutate), behind a real HTTP server on loopback, with
// its jobs running until ctx ends. It logs to logs and sends what it
// means for Shopify's admin to adminOrigin. The caller stops the server,
// then the app.
func startApp(ctx context.Context, st *store.Store, clock *testkit.Clock, logs io.Writer, adminOrigin string, mutate ...func(*app.Config)) (*app.App, *httptest.Server, error) {
	a, srv, err := serveApp(st, clock, logs, adminOrigin, mutate...)
	if err != nil {
		return nil, nil, err
	}
	if err := a.Start(ctx); err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("app.Start: %w", err)
	}
	return a, srv, nil
}

// serveApp is startApp without the app's Start: no job runs and no
// storefront folder folds.
func serveApp(st *store.Store, clock *testkit.Clock, logs io.Writer, adminOrigin string, mutate ...func(*app.Config)) (*app.App, *httptest.Server, error) {
	srv := httptest.NewUnstartedServer(nil)
	cfg := app.Config{
		APIKey:           testAPIKey,
		APISecret:        testSecret,
		AppURL:           "http://" + srv.Listener.Addr().String(),
		Scopes:           "read_orders",
		APIVersion:       "2026-10",
		AbandonAfter:     time.Hour,
		PayloadRetention: 7 * 24 * time.Hour,
		AdminOrigin:      adminOrigin,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(cfg, st, app.Options{Logger: logger, Now: clock.Now, JobPollInterval: jobPollInterval(st.Dialect()), ManualScans: true})
	if err != nil {
		_ = srv.Listener.Close()
		return nil, nil, fmt.Errorf("app.New: %w", err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	return a, srv, nil
}

// logText returns what the app has logged so far.
func (h *harness) logText() string { return h.logs.String() }

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
	return storetest.Install(h.t, h.store, shop)
}

// forEachDialect runs fn, in parallel subtests, on a fresh PostgreSQL database
// and a fresh SQLite file.
func forEachDialect(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	storetest.ForEach(t, fn)
}

// waitJobsDone waits until the app's job queue holds no unfinished job: the
// work the test set going (scans, the jobs they queue, deliveries and
// their retries) is over, so whatever it would still have done it has
// done. A test that checks that nothing more happened checks after this.
func (h *harness) waitJobsDone() {
	h.t.Helper()
	var (
		left []string
		err  error
	)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if left, err = h.app.UnfinishedJobsForTest(h.t.Context()); err == nil && len(left) == 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	h.t.Fatalf("the job queue still holds %v after 15s (%v)", left, err)
}
