package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

func TestOperatorEndpoints(t *testing.T) {
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		if resp, body := h.get("/healthz"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ok") {
			t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
		}
		if resp, body := h.get("/readyz"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ready") {
			t.Fatalf("/readyz: %d %s", resp.StatusCode, body)
		}
		h.install("metrics.myshopify.com")
		h.webhook("carts/create", "metrics.myshopify.com", "m-1", fixture(t, "carts_create.json"))
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
		if resp, _ := h.get("/static/app.css"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/static/app.css: %d", resp.StatusCode)
		}
		if resp, _ := h.get("/demo"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("demo routes exist outside demo mode: %d", resp.StatusCode)
		}
	})
}
