package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

func TestComplianceTopics(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "private.myshopify.com"
		s := h.install(shop)
		now := h.clock.Now()
		// Two shoppers; the first is the customer who asks to be forgotten.
		for _, d := range journey(t, 1, 3, now.Add(-2*time.Hour), 5000) {
			body := strings.ReplaceAll(string(d.body), "shopper1@example.com", "john@example.com")
			h.webhook(d.topic, shop, d.id, []byte(body))
		}
		for _, d := range journey(t, 2, 3, now.Add(-2*time.Hour), 7000) {
			h.webhook(d.topic, shop, d.id, d.body)
		}
		john := funnel.Customer{Email: "john@example.com", Phone: "555-625-1199"}
		held, err := st.CustomerData(t.Context(), s.ID, john)
		if err != nil || len(held) != 1 {
			t.Fatalf("before: %d sessions hold the customer (%v)", len(held), err)
		}

		withShop := func(name string) []byte {
			return []byte(strings.ReplaceAll(string(testkit.Fixture(t, name)), "{shop}.myshopify.com", shop))
		}
		if resp, body := h.webhook("customers/data_request", shop, "gdpr-1", withShop("customers_data_request.json")); resp.StatusCode != http.StatusOK {
			t.Fatalf("data request: %d %s", resp.StatusCode, body)
		}
		// The merchant finds the report in the app, to pass on to the
		// customer, once the job has made it.
		var body []byte
		testkit.Eventually(t, "the data request's report", func() bool {
			_, body = h.api(http.MethodGet, "/api/data-requests", shop, nil)
			return strings.Contains(string(body), `"received_at"`)
		})
		var reqs struct {
			DataRequests []struct {
				RequestID int64 `json:"data_request_id"`
				Email     string
				Sessions  int
				Report    struct {
					Sessions []struct{ Key, Email string } `json:"funnel_sessions"`
				}
			} `json:"data_requests"`
		}
		if err := json.Unmarshal(body, &reqs); err != nil || len(reqs.DataRequests) != 1 {
			t.Fatalf("/api/data-requests: %s", body)
		}
		dr := reqs.DataRequests[0]
		if dr.RequestID != 9999 || dr.Email != "john@example.com" || dr.Sessions != 1 || len(dr.Report.Sessions) != 1 ||
			dr.Report.Sessions[0].Key != "cart-001" || dr.Report.Sessions[0].Email != "john@example.com" {
			t.Fatalf("data request report: %s", body)
		}
		h.install("bystander.myshopify.com")
		if _, body := h.api(http.MethodGet, "/api/data-requests", "bystander.myshopify.com", nil); strings.Contains(string(body), "john@") {
			t.Fatalf("another shop sees the data request: %s", body)
		}
		testkit.Eventually(t, "the data request settled", func() bool {
			reason, payload := deliveryState(t, st, "gdpr-1")
			return !payload && strings.Contains(reason, "the report lists 1 funnel session")
		})
		// A redelivery of the request does not add a second report.
		h.webhook("customers/data_request", shop, "gdpr-1b", withShop("customers_data_request.json"))
		testkit.Eventually(t, "the redelivered data request settled", func() bool {
			_, payload := deliveryState(t, st, "gdpr-1b")
			return !payload
		})
		if _, body := h.api(http.MethodGet, "/api/data-requests", shop, nil); strings.Count(string(body), `"received_at"`) != 1 {
			t.Fatalf("a redelivered data request added a report: %s", body)
		}

		if payloadsNaming(t, st, "john@example.com") == 0 {
			t.Fatal("no stored payload names the customer before customers/redact: the check below would prove nothing")
		}
		if resp, body := h.webhook("customers/redact", shop, "gdpr-2", withShop("customers_redact.json")); resp.StatusCode != http.StatusOK {
			t.Fatalf("customers/redact: %d %s\n%s", resp.StatusCode, body, h.logText())
		}
		testkit.Eventually(t, "the erasure job", func() bool {
			_, payload := deliveryState(t, st, "gdpr-2")
			return !payload
		})
		if reason, _ := deliveryState(t, st, "gdpr-2"); !strings.HasPrefix(reason, "erased the customer's details from 1 session, ") ||
			!strings.HasSuffix(reason, " and 1 data request") {
			t.Errorf("customers/redact kept with reason %q", reason)
		}
		if held, _ := st.CustomerData(t.Context(), s.ID, john); len(held) != 0 {
			t.Fatalf("after customers/redact %d sessions still hold the customer", len(held))
		}
		if _, body := h.api(http.MethodGet, "/api/data-requests", shop, nil); strings.Contains(string(body), "john@") {
			t.Fatalf("customers/redact left the data request report: %s", body)
		}
		other, err := st.SessionByKey(t.Context(), s.ID, "cart-002")
		if err != nil || other.Email != "shopper2@example.com" {
			t.Fatalf("customers/redact touched another customer: %q %v", other.Email, err)
		}
		redacted, _ := st.SessionByKey(t.Context(), s.ID, "cart-001")
		if redacted.Email != "" || redacted.Value != 5000 {
			t.Fatalf("redacted session: email %q value %d (the funnel figures must stay)", redacted.Email, redacted.Value)
		}
		if n := payloadsNaming(t, st, "john@example.com"); n != 0 {
			t.Fatalf("%d kept payloads still name the customer", n)
		}
		if n := payloadsNaming(t, st, "shopper2@example.com"); n == 0 {
			t.Fatalf("customers/redact dropped another customer's payloads")
		}

		// Two days after uninstall, shop/redact erases everything of the shop.
		h.webhook("app/uninstalled", shop, "bye", uninstalledBody(t, shop))
		if resp, body := h.webhook("shop/redact", shop, "gdpr-3", withShop("shop_redact.json")); resp.StatusCode != http.StatusOK {
			t.Fatalf("shop/redact: %d %s", resp.StatusCode, body)
		}
		if _, err := st.ShopByDomain(t.Context(), shop); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after shop/redact the shop is still there: %v", err)
		}
		if _, err := st.SessionByKey(t.Context(), s.ID, "cart-002"); err == nil {
			t.Fatalf("after shop/redact a session is still there")
		}
		// Forged compliance requests are refused with 401, as Shopify requires.
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks", strings.NewReader(`{"shop_domain":"x"}`))
		req.Header.Set("X-Shopify-Topic", "shop/redact")
		req.Header.Set("X-Shopify-Hmac-Sha256", "bm90IGEgc2lnbmF0dXJl")
		if resp, _ := h.do(req); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("forged shop/redact: %d", resp.StatusCode)
		}
	})
}

// deliveryState returns a kept delivery's reason and whether its payload is
// still there.
func deliveryState(t *testing.T, st *store.Store, webhookID string) (reason string, payload bool) {
	t.Helper()
	err := st.DB().QueryRowContext(t.Context(), "SELECT reason, payload IS NOT NULL FROM deliveries WHERE webhook_id = $1", webhookID).
		Scan(&reason, &payload)
	if err != nil {
		t.Fatalf("delivery %s: %v", webhookID, err)
	}
	return reason, payload
}

// payloadsNaming counts the stored webhook payloads that contain needle.
func payloadsNaming(t *testing.T, st *store.Store, needle string) int {
	t.Helper()
	q := "SELECT count(*) FROM deliveries WHERE payload IS NOT NULL AND instr(CAST(payload AS TEXT), ?) > 0"
	if st.Dialect() == store.DialectPostgres {
		q = "SELECT count(*) FROM deliveries WHERE payload IS NOT NULL AND position(convert_to($1, 'UTF8') IN payload) > 0"
	}
	var n int
	if err := st.DB().QueryRowContext(t.Context(), q, needle).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCustomersRedactParsed delivers the shoppers' checkouts and orders as
// Shopify would, then customers/redact and customers/data_request naming the
// customer in other forms than the payloads do: a JSON-escaped e-mail, other
// case, a composed e-mail against a decomposed one, a formatted phone
// against bare digits, an order naming the customer only by customer.id.
// Each is found, by a job queued with the kept delivery and worked by the
// app's River client, while another customer's sessions and payloads stay.
func TestCustomersRedactParsed(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "parsed.myshopify.com"
		sh := h.install(shop)
		start := h.clock.Now().Add(-3 * time.Hour)
		stamp := start.UTC().Format(time.RFC3339)
		checkout := func(cart string, fields map[string]any) []byte {
			base := map[string]any{"token": "chk-" + cart, "cart_token": cart, "total_price": "20.00", "subtotal_price": "20.00",
				"email": nil, "phone": nil, "customer": nil, "shipping_address": nil, "billing_address": nil,
				"shipping_lines": []any{}, "created_at": stamp, "updated_at": stamp}
			for k, v := range fields {
				base[k] = v
			}
			return loadPayload(t, "checkouts_create.json").with(t, base).bytes(t)
		}
		nfd := norm.NFD.String("josé@exämple.com")
		deliveries := []struct{ id, topic string }{
			{"jane-escaped", "checkouts/update"}, {"jane-phone", "checkouts/update"}, {"jane-id", "orders/create"},
			{"jose-nfd", "checkouts/update"}, {"bob", "checkouts/update"},
		}
		bodies := map[string][]byte{
			"jane-escaped": bytes.ReplaceAll(checkout("cart-j1", map[string]any{"email": "jane@example.com"}),
				[]byte("jane@example.com"), []byte(`jane\u0040example.com`)),
			"jane-phone": checkout("cart-j2", map[string]any{"phone": "+1 (555) 010-0000"}),
			"jane-id": loadPayload(t, "orders_create.rest-order-fixture.json").with(t, map[string]any{
				"cart_token": "cart-j3", "checkout_token": "chk-cart-j3", "created_at": stamp, "processed_at": stamp, "updated_at": stamp,
				"email": nil, "contact_email": nil, "phone": nil, "billing_address": nil, "shipping_address": nil,
				"customer": map[string]any{"id": 7451}}).bytes(t),
			"jose-nfd": checkout("cart-j4", map[string]any{"email": nfd}),
			"bob": checkout("cart-b", map[string]any{"email": "bob@example.com", "phone": "+1 555 010 0001",
				"customer": map[string]any{"id": 7452, "email": "bob@example.com"}}),
		}
		for _, d := range deliveries {
			if resp, body := h.webhook(d.topic, shop, d.id, bodies[d.id]); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", d.id, resp.StatusCode, body)
			}
		}
		if bytes.Contains(bodies["jane-escaped"], []byte("jane@")) {
			t.Fatal("the escaped payload spells the e-mail out: the case would prove nothing")
		}
		for cart, want := range map[string]string{"cart-j1": "jane@example.com", "cart-j4": nfd} {
			if s, err := st.SessionByKey(t.Context(), sh.ID, cart); err != nil || s.Email != want {
				t.Fatalf("before: %s holds %q (%v), want %q", cart, s.Email, err, want)
			}
		}

		request := func(topic, id string, customer map[string]any) {
			t.Helper()
			body, _ := json.Marshal(map[string]any{"shop_id": 954889, "shop_domain": shop, "customer": customer,
				"orders_to_redact": []int{}, "orders_requested": []int{}, "data_request": map[string]any{"id": 4242}})
			if resp, body := h.webhook(topic, shop, id, body); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"kept"`) {
				t.Fatalf("%s: %d %s", topic, resp.StatusCode, body)
			}
			testkit.Eventually(t, topic+" carried out", func() bool {
				_, payload := deliveryState(t, st, id)
				return !payload
			})
		}
		// The data request finds Jane's sessions by the escaped e-mail and
		// by the phone written another way; a NUL in its e-mail (which
		// PostgreSQL's text refuses) does not stop it.
		request("customers/data_request", "dr-jane", map[string]any{"id": 7451, "email": "Jane\x00@Example.com", "phone": "+1 555-010-0000"})
		list, err := st.DataRequests(t.Context(), sh.ID, 10)
		if err != nil || len(list) != 1 || list[0].Sessions != 2 {
			t.Fatalf("data request: %+v %v", list, err)
		}
		for _, cart := range []string{"cart-j1", "cart-j2"} {
			if !strings.Contains(string(list[0].Report), `"`+cart+`"`) {
				t.Errorf("the report lacks %s: %s", cart, list[0].Report)
			}
		}
		if reason, _ := deliveryState(t, st, "dr-jane"); !strings.Contains(reason, "lists 2 funnel sessions") {
			t.Errorf("data request kept with reason %q", reason)
		}

		request("customers/redact", "redact-jane", map[string]any{"id": 7451, "email": "JANE@EXAMPLE.COM", "phone": "15550100000"})
		if reason, _ := deliveryState(t, st, "redact-jane"); reason != "erased the customer's details from 2 sessions, 3 kept payloads and 1 data request" {
			t.Errorf("customers/redact kept with reason %q", reason)
		}
		request("customers/redact", "redact-jose", map[string]any{"email": norm.NFC.String("JOSÉ@exämple.com")})
		if reason, _ := deliveryState(t, st, "redact-jose"); reason != "erased the customer's details from 1 session, 1 kept payload and 0 data requests" {
			t.Errorf("customers/redact of josé kept with reason %q", reason)
		}

		for _, id := range []string{"jane-escaped", "jane-phone", "jane-id", "jose-nfd", "bob"} {
			if _, payload := deliveryState(t, st, id); payload != (id == "bob") {
				t.Errorf("payload %s kept = %v after the redactions", id, payload)
			}
		}
		for _, cart := range []string{"cart-j1", "cart-j2", "cart-j4"} {
			if s, err := st.SessionByKey(t.Context(), sh.ID, cart); err != nil || s.Email != "" || s.Phone != "" || s.Value != 2000 {
				t.Errorf("%s after the redactions: %q %q %d %v", cart, s.Email, s.Phone, s.Value, err)
			}
		}
		if s, err := st.SessionByKey(t.Context(), sh.ID, "cart-b"); err != nil || s.Email != "bob@example.com" || s.Phone != "+1 555 010 0001" {
			t.Errorf("another customer's session: %q %q %v", s.Email, s.Phone, err)
		}
		if list, _ := st.DataRequests(t.Context(), sh.ID, 10); len(list) != 0 {
			t.Errorf("the customer's data request is still there: %+v", list)
		}
		// The jobs' arguments name only the delivery, and nothing logged
		// names the customers.
		argsText := "CAST(args AS TEXT)"
		if st.Dialect() == store.DialectSQLite {
			argsText = "json(args)" // River keeps SQLite's binary JSON
		}
		rows, err := st.DB().QueryContext(t.Context(), "SELECT "+argsText+" FROM river_job WHERE kind IN ('erase_customer', 'customer_data_request')")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var args string
			if err := rows.Scan(&args); err != nil {
				t.Fatal(err)
			}
			if n++; !strings.Contains(args, `"delivery_id"`) || strings.Contains(args, "@") || strings.Contains(args, "7451") {
				t.Errorf("job args %s", args)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if n != 3 {
			t.Errorf("%d privacy jobs, want 3", n)
		}
		for _, secret := range []string{"jane@", "JANE@", "010-0000", "15550100000", "exämple", norm.NFD.String("exämple")} {
			if strings.Contains(h.logText(), secret) {
				t.Errorf("the log names the customer (%q)", secret)
			}
		}
	})
}
