package app_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// counts is the state a bad delivery must not change.
type counts struct{ sessions, kept int }

func stateOf(t *testing.T, st *store.Store, shopID int64) counts {
	t.Helper()
	_, total, err := st.ListSessions(t.Context(), store.SessionFilter{ShopID: shopID,
		From: *ts("2000-01-01T00:00:00Z"), To: *ts("2040-01-01T00:00:00Z"), Now: time.Now(), Idle: time.Hour, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := st.UnusableDeliveries(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return counts{sessions: int(total), kept: len(kept)}
}

func TestWebhookBadInput(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "strict.myshopify.com"
		s := h.install(shop)
		cart := testkit.Fixture(t, "carts_create.json")

		post := func(body []byte, header map[string]string) (*http.Response, []byte) {
			req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range map[string]string{
				"X-Shopify-Topic": "carts/create", "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": "bad-1",
				"X-Shopify-Hmac-Sha256": shopify.SignWebhook(body, testSecret),
			} {
				req.Header.Set(k, v)
			}
			for k, v := range header {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			return h.do(req)
		}

		rejected := []struct {
			name   string
			body   []byte
			header map[string]string
			status int
		}{
			{"missing hmac", cart, map[string]string{"X-Shopify-Hmac-Sha256": ""}, http.StatusUnauthorized},
			{"forged hmac", cart, map[string]string{"X-Shopify-Hmac-Sha256": shopify.SignWebhook(cart, "not-the-secret")}, http.StatusUnauthorized},
			{"hmac of another body", cart, map[string]string{"X-Shopify-Hmac-Sha256": shopify.SignWebhook([]byte("{}"), testSecret)}, http.StatusUnauthorized},
			{"oversized body", bytes.Repeat([]byte(" "), 5<<20+1), nil, http.StatusRequestEntityTooLarge},
			{"empty body", []byte{}, nil, http.StatusBadRequest},
			{"missing topic", cart, map[string]string{"X-Shopify-Topic": ""}, http.StatusBadRequest},
			{"missing webhook id", cart, map[string]string{"X-Shopify-Webhook-Id": ""}, http.StatusBadRequest},
			{"bad shop domain", cart, map[string]string{"X-Shopify-Shop-Domain": "evil.com"}, http.StatusBadRequest},
		}
		before := stateOf(t, st, s.ID)
		for _, tc := range rejected {
			resp, body := post(tc.body, tc.header)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%s: %d %s, want %d with a message", tc.name, resp.StatusCode, body, tc.status)
			}
		}
		if after := stateOf(t, st, s.ID); after != before {
			t.Fatalf("rejected deliveries changed state: %+v → %+v", before, after)
		}

		// Signed but unusable: answered 200 so Shopify stops retrying, kept
		// with the reason, and no funnel changes.
		future := loadPayload(t, "carts_create.json").with(t, map[string]any{"created_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)})
		ancient := loadPayload(t, "carts_create.json").with(t, map[string]any{"created_at": "1970-01-01T00:00:00Z", "updated_at": "1970-01-01T00:00:00Z"})
		kept := []struct {
			name, topic, reason string
			body                []byte
		}{
			{"malformed json", "carts/create", "", []byte(`{"token": "abc", `)},
			{"wrong shape", "checkouts/create", "token", []byte(`{"cart_token": ["not", "a", "string"]}`)},
			{"cart without token", "carts/update", "token", []byte(`{"line_items": []}`)},
			{"future timestamp", "carts/create", "implausible", future.bytes(t)},
			{"epoch timestamp", "carts/create", "implausible", ancient.bytes(t)},
		}
		for i, tc := range kept {
			resp, body := post(tc.body, map[string]string{"X-Shopify-Topic": tc.topic, "X-Shopify-Webhook-Id": "kept-" + string(rune('a'+i)),
				"X-Shopify-Hmac-Sha256": shopify.SignWebhook(tc.body, testSecret)})
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "kept") {
				t.Errorf("%s: %d %s, want 200 kept", tc.name, resp.StatusCode, body)
			}
		}
		after := stateOf(t, st, s.ID)
		if after.sessions != before.sessions || after.kept != before.kept+len(kept) {
			t.Fatalf("unusable deliveries: state %+v → %+v, want %d more kept and no sessions", before, after, len(kept))
		}
		all, _ := st.UnusableDeliveries(t.Context(), 100)
		for _, k := range all {
			if k.Reason == "" {
				t.Errorf("delivery %s kept without a reason", k.Delivery.WebhookID)
			}
		}

		// An uninstalled shop's delivery is kept, not applied.
		if resp, _ := h.webhook("app/uninstalled", shop, "uninstall-1", uninstalledBody(t, shop)); resp.StatusCode != http.StatusOK {
			t.Fatalf("app/uninstalled: %d", resp.StatusCode)
		}
		gone, err := st.ShopByDomain(t.Context(), shop)
		if err != nil || gone.Installed() || gone.Tokens.AccessToken != "" || gone.Tokens.RefreshToken != "" {
			t.Fatalf("after app/uninstalled: installed %v, tokens left %v", gone.Installed(), gone.Tokens.AccessToken != "")
		}
		resp, body := h.webhook("carts/create", shop, "after-uninstall", cart)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "kept") || stateOf(t, st, s.ID).sessions != 0 {
			t.Fatalf("cart for an uninstalled shop: %d %s", resp.StatusCode, body)
		}

		// Unknown topics are acknowledged and ignored.
		resp, body = h.webhook("collections/update", shop, "unknown-topic", []byte(`{"id": 1}`))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ignored") {
			t.Fatalf("unknown topic: %d %s", resp.StatusCode, body)
		}
	})
}

func TestWebhookDuplicateIsNoOp(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "dupes.myshopify.com"
		s := h.install(shop)
		first := loadPayload(t, "carts_create.json")
		if resp, body := h.webhook("carts/create", shop, "same-id", first.bytes(t)); !strings.Contains(string(body), "applied") {
			t.Fatalf("first delivery: %d %s", resp.StatusCode, body)
		}
		// A different body under the same webhook id must not be applied.
		later := first.with(t, map[string]any{"updated_at": "2022-01-02T00:00:00Z", "line_items": []any{}})
		resp, body := h.webhook("carts/update", shop, "same-id", later.bytes(t))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "duplicate") {
			t.Fatalf("redelivery: %d %s", resp.StatusCode, body)
		}
		sess, err := st.SessionByKey(t.Context(), s.ID, "exampleCartId")
		if err != nil {
			t.Fatal(err)
		}
		if !sess.LastActivity.Equal(*ts("2022-01-01T00:00:00Z")) || sess.ItemCount != 3 {
			t.Fatalf("a duplicate delivery changed the session: %+v", sess)
		}
	})
}

// TestWebhookNULCharacters posts a checkout whose text fields carry NUL
// characters, which PostgreSQL's text and jsonb refuse: the delivery is
// still applied, without them, rather than refused on every retry.
func TestWebhookNULCharacters(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "nul.myshopify.com"
		s := h.install(shop)
		co := loadPayload(t, "checkouts_create.json").with(t, map[string]any{
			"email": "ann\u0000@example.com", "landing_site": "/\u0000", "source_name": "we\u0000b",
		})
		resp, body := h.webhook("checkouts/create", shop, "nul-1", co.bytes(t))
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "applied") {
			t.Fatalf("delivery: %d %s", resp.StatusCode, body)
		}
		list, _, err := st.ListSessions(t.Context(), store.SessionFilter{ShopID: s.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("sessions = %v, %v", list, err)
		}
		if got := list[0]; got.Email != "ann@example.com" || got.SourceName != "web" || got.LandingSite != "/" {
			t.Errorf("email %q, source %q, landing %q: want the NULs dropped", got.Email, got.SourceName, got.LandingSite)
		}
	})
}
