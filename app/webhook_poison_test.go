package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// statusOf returns the status word of a webhook answer ("applied", "kept"…).
func statusOf(body []byte) string {
	var got struct{ Status string }
	_ = json.Unmarshal(body, &got)
	return got.Status
}

// TestPoisonPayloadsAreKept: signed payloads whose quantities, amounts or
// times cannot be real are answered 200 and kept with the reason, on both
// databases, and change no session, rollup or shop.
func TestPoisonPayloadsAreKept(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "poison.myshopify.com"
		h.install(shop)
		// A session the poison must leave alone.
		if _, b := h.webhook("carts/create", shop, "good-cart", testkit.Fixture(t, "carts_create.json")); statusOf(b) != "applied" {
			t.Fatalf("good cart: %s", b)
		}

		cart := func(lines ...map[string]any) []byte {
			items := make([]any, len(lines))
			for i, l := range lines {
				items[i] = l
			}
			return loadPayload(t, "carts_create.json").with(t, map[string]any{"token": "poison-cart", "line_items": items}).bytes(t)
		}
		checkout := func(fields map[string]any) []byte {
			fields["token"], fields["cart_token"] = "poison-checkout", "poison-cart"
			return loadPayload(t, "checkouts_create.json").with(t, fields).bytes(t)
		}
		order := func(fields map[string]any) []byte {
			fields["cart_token"], fields["checkout_token"] = "poison-cart", "poison-checkout"
			return loadPayload(t, "orders_create.rest-order-fixture.json").with(t, fields).bytes(t)
		}
		const year1, year2999 = "0001-03-04T05:06:07Z", "2999-01-01T00:00:00Z"
		cases := []struct {
			name, topic, reason string
			body                []byte
		}{
			{"a line quantity of 2^31", "carts/create", "quantity",
				cart(map[string]any{"title": "Mug", "quantity": json.Number("2147483648"), "price": "1.00", "line_price": "1.00"})},
			{"price × quantity past int64", "carts/create", "quantity",
				cart(map[string]any{"title": "Mug", "quantity": 1000000, "price": "100000000000.00"})},
			{"price × quantity past the largest amount", "carts/create", "quantity",
				cart(map[string]any{"title": "Mug", "quantity": 1000, "price": "1000000000.00"})},
			{"lines adding up past the largest amount", "carts/create", "add up",
				cart(map[string]any{"title": "Mug", "quantity": 1, "line_price": "100000000000.00"},
					map[string]any{"title": "Cup", "quantity": 1, "line_price": "100000000000.00"})},
			{"a unit price past the largest amount", "carts/create", "largest plausible",
				cart(map[string]any{"title": "Mug", "quantity": 2, "price": "92233720368547758.07"})},
			{"a line price past int64", "carts/create", "out of range",
				cart(map[string]any{"title": "Mug", "quantity": 1, "line_price": "92233720368547758.08"})},
			{"a negative line price", "carts/create", "negative",
				cart(map[string]any{"title": "Mug", "quantity": 1, "line_price": "-5.00"})},
			{"a negative unit price", "carts/create", "negative",
				cart(map[string]any{"title": "Mug", "quantity": 3, "price": "-0.01"})},
			{"a negative checkout total", "checkouts/create", "negative", checkout(map[string]any{"total_price": "-1.00"})},
			{"a negative order subtotal", "orders/create", "negative", order(map[string]any{"subtotal_price": "-1.00"})},
			{"a negative checkout line", "checkouts/create", "negative", checkout(map[string]any{"line_items": []any{
				map[string]any{"title": "Mug", "quantity": 1, "price": "-3.00", "line_price": "-3.00"}}})},
			{"completed_at in year 1", "checkouts/update", "completed_at", checkout(map[string]any{"completed_at": year1})},
			{"completed_at in 2999", "checkouts/update", "completed_at", checkout(map[string]any{"completed_at": year2999})},
			{"closed_at in 2999", "checkouts/update", "closed_at", checkout(map[string]any{"closed_at": year2999})},
			{"processed_at in year 1", "orders/create", "processed_at", order(map[string]any{"processed_at": year1})},
			{"processed_at in 2999", "orders/create", "processed_at", order(map[string]any{"processed_at": year2999})},
			{"cancelled_at in year 1", "orders/create", "cancelled_at", order(map[string]any{"cancelled_at": year1})},
			{"cancelled_at in 2999", "orders/create", "cancelled_at", order(map[string]any{"cancelled_at": year2999})},
		}
		before := dbState(t, st, "deliveries")
		for i, tc := range cases {
			id := fmt.Sprintf("poison-%d", i)
			resp, b := h.webhook(tc.topic, shop, id, tc.body)
			if resp.StatusCode != http.StatusOK || statusOf(b) != "kept" {
				t.Errorf("%s: %d %s, want 200 kept", tc.name, resp.StatusCode, b)
				continue
			}
			if reason, _ := keptReason(t, st, id); !strings.Contains(reason, tc.reason) {
				t.Errorf("%s: kept with reason %q, want it to say %q", tc.name, reason, tc.reason)
			}
			// A redelivery is recognised, not kept twice.
			if _, b := h.webhook(tc.topic, shop, id, tc.body); statusOf(b) != "duplicate" {
				t.Errorf("%s: redelivery answered %s", tc.name, b)
			}
		}
		sameState(t, "poison payloads", before, dbState(t, st, "deliveries"))
	})
}

// TestBadHeaderValuesAreKept: a header value the database cannot store
// (invalid UTF-8, 500 KB) is checked before it gets there: the delivery is
// answered 200 and kept, with a reason naming the header, under a stand-in
// that recognises its redeliveries; no session changes.
func TestBadHeaderValuesAreKept(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "headers.myshopify.com"
		h.install(shop)
		long := make([]byte, 250<<10)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range long {
			long[i] = byte(rng.Uint32())
		}
		// 500 KB of hex: it does not compress into a unique index row.
		huge := hex.EncodeToString(long)
		body := testkit.Fixture(t, "carts_create.json")
		before := dbState(t, st, "deliveries")
		n := 0
		for _, header := range []string{"X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-API-Version", "X-Shopify-Triggered-At"} {
			for _, bad := range []struct{ name, value string }{{"invalid UTF-8", "v-\xff\xfe-\xc3"}, {"500 KB", huge}} {
				n++
				id := fmt.Sprintf("hdr-%d", n)
				send := func() (*http.Response, []byte) {
					req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks", bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					for k, v := range shopifytest.WebhookHeaders(testSecret, "carts/create", shop, id, body) {
						req.Header[k] = v
					}
					req.Header.Set(header, bad.value)
					return h.do(req)
				}
				resp, b := send()
				if resp.StatusCode != http.StatusOK || statusOf(b) != "kept" {
					t.Errorf("%s %s: %d %s, want 200 kept", header, bad.name, resp.StatusCode, b)
					continue
				}
				stored := id
				if header == "X-Shopify-Webhook-Id" {
					stored = shopifyStandIn(bad.value)
				}
				reason, k := keptReason(t, st, stored)
				if !strings.Contains(reason, header) {
					t.Errorf("%s %s: kept with reason %q, want it to name the header", header, bad.name, reason)
				}
				if !bytes.Equal(k.Delivery.Payload, body) {
					t.Errorf("%s %s: the payload was not kept as received", header, bad.name)
				}
				if resp, b := send(); resp.StatusCode != http.StatusOK || statusOf(b) != "duplicate" {
					t.Errorf("%s %s: redelivery %d %s, want 200 duplicate", header, bad.name, resp.StatusCode, b)
				}
			}
		}
		sameState(t, "deliveries with unstorable headers", before, dbState(t, st, "deliveries"))
	})
}

// shopifyStandIn is the stand-in the app stores for an unstorable header
// value: it is the same for every redelivery.
func shopifyStandIn(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestNULInCompliancePayload: a NUL in a compliance payload's e-mail, which
// PostgreSQL's text refuses, is dropped like any NUL of any payload: the
// data request is saved and the redaction erases, on both databases.
func TestNULInCompliancePayload(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "nul-privacy.myshopify.com"
		s := h.install(shop)
		co := loadPayload(t, "checkouts_create.json").with(t, map[string]any{"email": "john@example.com"})
		if _, b := h.webhook("checkouts/create", shop, "co-1", co.bytes(t)); statusOf(b) != "applied" {
			t.Fatalf("checkout: %s", b)
		}
		withNUL := func(name string) []byte {
			b := complianceBody(t, name, shop)
			return bytes.Replace(b, []byte("john@example.com"), []byte(`john\u0000@example.com`), 1)
		}
		resp, b := h.webhook("customers/data_request", shop, "dr-nul", withNUL("customers_data_request.json"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("data request with a NUL: %d %s", resp.StatusCode, b)
		}
		// The report is made by a job queued with the delivery.
		testkit.Eventually(t, "the data request's report", func() bool {
			reqs, err := st.DataRequests(t.Context(), s.ID, 10)
			return err == nil && len(reqs) == 1
		})
		reqs, err := st.DataRequests(t.Context(), s.ID, 10)
		if err != nil || len(reqs) != 1 || reqs[0].Email != "john@example.com" || reqs[0].Sessions != 1 ||
			bytes.Contains(reqs[0].Report, []byte(`\u0000`)) {
			t.Fatalf("data request saved: %+v %v", reqs, err)
		}
		resp, b = h.webhook("customers/redact", shop, "cr-nul", withNUL("customers_redact.json"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("customers/redact with a NUL: %d %s", resp.StatusCode, b)
		}
		testkit.Eventually(t, "the erasure of the customer", func() bool {
			held, err := st.CustomerData(t.Context(), s.ID, funnel.Customer{Email: "john@example.com"})
			return err == nil && len(held) == 0
		})
	})
}
