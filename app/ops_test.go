package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestOperatorEndpoints(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		if resp, body := h.get("/healthz"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ok") {
			t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
		}
		if resp, body := h.get("/readyz"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ready") {
			t.Fatalf("/readyz: %d %s", resp.StatusCode, body)
		}
		h.install("metrics.myshopify.com")
		h.webhook("carts/create", "metrics.myshopify.com", "m-1", testkit.Fixture(t, "carts_create.json"))
		resp, body := h.get("/metrics")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `funnelscope_webhooks_total{outcome="applied",topic="carts/create"} 1`) {
			t.Fatalf("/metrics does not count the applied webhook: %d", resp.StatusCode)
		}
		resp, body = h.get("/no/such/page")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "does not exist") ||
			!strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors") {
			t.Fatalf("404 page: %d %s", resp.StatusCode, body)
		}
		if resp, _ := h.get("/static/../app.go"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("path traversal under /static: %d", resp.StatusCode)
		}
		if resp, _ := h.get(assetURL(t, "app.css")); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", assetURL(t, "app.css"), resp.StatusCode)
		}
		if resp, _ := h.get("/demo"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("demo routes exist outside demo mode: %d", resp.StatusCode)
		}
	})
}

// TestWebhookRequestLogLevel checks that accepted webhook deliveries are
// logged at debug level, refused ones at info.
func TestWebhookRequestLogLevel(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, store.DialectSQLite)
	h := newHarness(t, st)
	const shop = "logs.myshopify.com"
	h.install(shop)
	if resp, body := h.webhook("carts/create", shop, "log-ok", testkit.Fixture(t, "carts_create.json")); resp.StatusCode != http.StatusOK {
		t.Fatalf("delivery: %d %s", resp.StatusCode, body)
	}
	req := shopifytest.SignedWebhook(h.srv.URL+"/webhooks", "another-secret", "carts/create", shop, "log-bad", []byte(`{}`))
	if resp, _ := h.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged delivery: %d", resp.StatusCode)
	}
	// The request log line is written once the answer is on its way.
	levels := map[int]string{}
	testkit.Eventually(t, "both request log lines", func() bool {
		for _, line := range strings.Split(strings.TrimSpace(h.logText()), "\n") {
			var rec struct {
				Msg    string `json:"msg"`
				Level  string `json:"level"`
				Path   string `json:"path"`
				Status int    `json:"status"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" && rec.Path == "/webhooks" {
				levels[rec.Status] = rec.Level
			}
		}
		return len(levels) == 2
	})
	if levels[http.StatusOK] != "DEBUG" || levels[http.StatusUnauthorized] != "INFO" {
		t.Errorf("request log levels by status = %v, want 200 at DEBUG and 401 at INFO", levels)
	}
}
