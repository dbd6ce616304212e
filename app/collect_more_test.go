package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestCollectPreflight checks the CORS preflight: any origin, POST with a
// Content-Type, never credentials.
func TestCollectPreflight(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.Open(t, store.DialectSQLite))
	req, err := http.NewRequest(http.MethodOptions, h.srv.URL+"/collect", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "https://example.myshopify.com")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, body := h.do(req)
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("OPTIONS /collect = %d %q", resp.StatusCode, body)
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":      "*",
		"Access-Control-Allow-Methods":     "POST, OPTIONS",
		"Access-Control-Allow-Headers":     "Content-Type",
		"Access-Control-Allow-Credentials": "",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// TestCollectStoresNoPersonalData posts the whole visit, whose checkout
// events carry the shopper's e-mail, phone, name and address, and scans
// every stored row of the storefront tables for them.
func TestCollectStoresNoPersonalData(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		_, key := h.pixelShop(visitShop)
		b := visitBatch(t)
		raw := string(b.body(t, visitShop, key, b.Events))
		personal := []string{"ana.shopper@example.com", "+15555550123", "5555550123", "Ana", "Shopper", "123 Main Street", "97477",
			"4f1b2c9d7e6a8053b1c2d3e4f5a6b7c8", key}
		for _, p := range personal[:7] {
			if !strings.Contains(raw, p) {
				t.Fatalf("the fixture no longer holds %q: the test would prove nothing", p)
			}
		}
		if resp, body := h.collect([]byte(raw)); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST /collect = %d %s", resp.StatusCode, body)
		}
		for _, q := range []string{
			"SELECT event_id || client_id || name || event FROM storefront_events",
			"SELECT client_id || device || landing_page_type || source || summary FROM visits",
			"SELECT token || kind || device || landing_page_type || source FROM visit_tokens",
			"SELECT product_id || title || device FROM visit_products",
		} {
			rows, err := st.DB().QueryContext(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				n++
				for _, p := range personal {
					if strings.Contains(s, p) {
						t.Errorf("%s: a row holds %q", q, p)
					}
				}
			}
			_ = rows.Close()
			if n == 0 {
				t.Errorf("%s: no rows to scan", q)
			}
		}
	})
}

// TestPixelKeyOpensNothingElse checks that a pixel key is no session
// token: as a Bearer token on /api it gets 401, and /collect answers no
// data, only 204 or a message.
func TestPixelKeyOpensNothingElse(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, store.DialectSQLite)
	h := newHarness(t, st)
	h.clock.Set(visitArrival)
	_, key := h.pixelShop(visitShop)
	for _, path := range []string{"/api/funnel?from=2026-11-01&to=2026-11-30", "/api/sessions", "/api/settings", "/api/alerts"} {
		req, err := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, body := h.do(req)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s with the pixel key: %d %s, want 401", path, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/collect", "/collect?key=" + url.QueryEscape(key)} {
		resp, body := h.get(path)
		if resp.StatusCode == http.StatusOK || strings.Contains(string(body), key) || strings.Contains(string(body), visitShop) {
			t.Errorf("GET %s = %d %q: /collect must answer no data", path, resp.StatusCode, body)
		}
	}
	b := visitBatch(t)
	resp, body := h.collect(b.body(t, visitShop, key, b.Events))
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Errorf("POST /collect = %d %q, want 204 without a body", resp.StatusCode, body)
	}
	if strings.Contains(h.logText(), key) {
		t.Error("the logs hold the pixel key")
	}
}

// TestCollectRateLimit checks that a client sending far more than a
// shopper can is answered 429 with nothing stored, and is let through
// again once its bucket refills (on the harness's clock).
func TestCollectRateLimit(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, store.DialectSQLite)
	h := newHarness(t, st)
	h.clock.Set(visitArrival)
	_, key := h.pixelShop(visitShop)
	b := visitBatch(t)
	batch := func(n int) []byte {
		evs := make([]json.RawMessage, 200)
		for i := range evs {
			evs[i] = json.RawMessage(fmt.Sprintf(`{"id":"e-%d-%d","name":"page_viewed","clientId":"busy","timestamp":"2026-11-24T14:00:00Z"}`, n, i))
		}
		return b.body(t, visitShop, key, evs)
	}
	for i := range 2 {
		if resp, body := h.collect(batch(i)); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("batch %d: %d %s", i, resp.StatusCode, body)
		}
	}
	before := h.rows("storefront_events")
	resp, body := h.collect(batch(2))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("the client's third batch at once: %d %s, want 429 with Retry-After", resp.StatusCode, body)
	}
	if n := h.rows("storefront_events"); n != before {
		t.Errorf("the refused batch stored %d events", n-before)
	}
	h.clock.Add(5 * time.Second) // 50 a second: 250 tokens back
	if resp, body := h.collect(batch(3)); resp.StatusCode != http.StatusNoContent {
		t.Errorf("after the bucket refilled: %d %s", resp.StatusCode, body)
	}
}

// TestCollectDatabaseDown: while PostgreSQL is unreachable /collect
// answers 503 revealing nothing, and the batch sent again once it is back
// is stored.
func TestCollectDatabaseDown(t *testing.T) {
	t.Parallel()
	st, proxy := storeBehindProxy(t)
	h := newHarness(t, st)
	h.clock.Set(visitArrival)
	shopID, key := h.pixelShop(visitShop)
	b := visitBatch(t)
	body := b.body(t, visitShop, key, b.Events)
	proxy.setDown(true)
	resp, answer := h.collect(body)
	if resp.StatusCode != http.StatusServiceUnavailable || strings.Contains(string(answer), "127.0.0.1") {
		t.Fatalf("during the outage: %d %s, want a 503 that reveals nothing", resp.StatusCode, answer)
	}
	proxy.setDown(false)
	testkit.Eventually(t, "the app to recover", func() bool {
		resp, _ := h.collect(body)
		return resp.StatusCode == http.StatusNoContent
	})
	if vs := h.visits(shopID); len(vs) != 1 {
		t.Errorf("%d visits after the retry, want 1", len(vs))
	}
}

// TestCollectAfterDroppedConnections: when every pooled connection to
// PostgreSQL has been cut while idle (a restart, a network blip), the next
// batch is still answered 204 and folded at once: the store discards the
// dead connections at BEGIN and dials anew, nothing having been sent.
func TestCollectAfterDroppedConnections(t *testing.T) {
	t.Parallel()
	st, proxy := storeBehindProxy(t)
	h := newHarness(t, st)
	h.clock.Set(visitArrival)
	shopID, key := h.pixelShop(visitShop)
	b := visitBatch(t)
	half := len(b.Events) / 2
	if resp, body := h.collect(b.body(t, visitShop, key, b.Events[:half])); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("first half: %d %s", resp.StatusCode, body)
	}
	proxy.setDown(true)
	proxy.setDown(false)
	if resp, body := h.collect(b.body(t, visitShop, key, b.Events[half:])); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("after the connections were cut: %d %s", resp.StatusCode, body)
	}
	if n := h.rows("storefront_events"); n != len(b.Events) {
		t.Errorf("%d raw events stored, want %d", n, len(b.Events))
	}
	if vs := h.visits(shopID); len(vs) != 1 {
		t.Errorf("%d visits, want the one whole visit", len(vs))
	}
}
