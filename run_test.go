package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

const testSecret = "run-test-secret"

// newTestApp builds the app on a fresh SQLite store that the test may
// close itself.
func newTestApp(t *testing.T) (*app.App, *store.Store) {
	t.Helper()
	st, err := store.Open(t.Context(), storetest.URL(t, store.DialectSQLite), store.Options{EncryptionKey: storetest.Key()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	a, err := app.New(app.Config{APIKey: "run-test-key", APISecret: testSecret, AppURL: "http://127.0.0.1",
		Scopes: "read_orders", APIVersion: app.DefaultAPIVersion, AbandonAfter: time.Hour,
		PayloadRetention: app.DefaultPayloadRetention}, st, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a, st
}

// wantClosed fails unless the listener at addr is closed: a connection
// to it is refused.
func wantClosed(t *testing.T, addr net.Addr) {
	t.Helper()
	conn, err := net.Dial("tcp", addr.String())
	if err == nil {
		_ = conn.Close()
		t.Errorf("the listener on %s is still open", addr)
	}
}

// wantStopped fails unless a has stopped: a cart delivery is then answered
// 503 and not committed (App.Stop).
func wantStopped(t *testing.T, a *app.App) {
	t.Helper()
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, shopifytest.SignedWebhook("http://127.0.0.1/webhooks", testSecret, "carts/create",
		"run.myshopify.com", "run-1", []byte(`{"id":"c","token":"c","line_items":[],"created_at":"2026-11-20T12:00:00Z"}`)))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("after serveApp returned, a delivery is answered %d: the app was not stopped", rec.Code)
	}
}

// TestServeAppWhenStartFails starts the app on a store that has been
// closed: Start fails, and serveApp returns its error with the listener
// closed and the app stopped.
func TestServeAppWhenStartFails(t *testing.T) {
	t.Parallel()
	a, st := newTestApp(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	err = serveApp(t.Context(), logger, a, ln, func(string) error { t.Error("ready ran although Start failed"); return nil })
	if err == nil || !strings.Contains(err.Error(), "starting jobs") {
		t.Fatalf("serveApp = %v, want Start's error", err)
	}
	wantClosed(t, ln.Addr())
	wantStopped(t, a)
}

// brokenListener fails every Accept, as a listener whose socket died would.
type brokenListener struct{ net.Listener }

func (brokenListener) Accept() (net.Conn, error) {
	return nil, errors.New("accept: the socket is gone")
}

// TestServeAppWhenServingFails serves on a listener that fails: serveApp
// returns the error, with the listener closed and the app (its commits
// and jobs) stopped, instead of leaving the jobs running.
func TestServeAppWhenServingFails(t *testing.T) {
	t.Parallel()
	a, _ := newTestApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err = serveApp(ctx, logger, a, brokenListener{ln}, nil)
	if err == nil || !strings.Contains(err.Error(), "the socket is gone") {
		t.Fatalf("serveApp = %v, want the serve error", err)
	}
	if ctx.Err() != nil {
		t.Fatal("serveApp returned only when its context ended")
	}
	wantClosed(t, ln.Addr())
	wantStopped(t, a)
}
