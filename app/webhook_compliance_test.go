package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

func TestComplianceTopics(t *testing.T) {
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
		held, err := st.CustomerData(t.Context(), s.ID, "john@example.com", "555-625-1199")
		if err != nil || len(held) != 1 {
			t.Fatalf("before: %d sessions hold the customer (%v)", len(held), err)
		}

		withShop := func(name string) []byte {
			return []byte(strings.ReplaceAll(string(fixture(t, name)), "{shop}.myshopify.com", shop))
		}
		if resp, body := h.webhook("customers/data_request", shop, "gdpr-1", withShop("customers_data_request.json")); resp.StatusCode != http.StatusOK {
			t.Fatalf("data request: %d %s", resp.StatusCode, body)
		}
		// The merchant finds the report in the app, to pass on to the customer.
		_, body := h.api(http.MethodGet, "/api/data-requests", shop, nil)
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
		// A redelivery of the request does not add a second report.
		h.webhook("customers/data_request", shop, "gdpr-1b", withShop("customers_data_request.json"))
		if _, body := h.api(http.MethodGet, "/api/data-requests", shop, nil); strings.Count(string(body), `"received_at"`) != 1 {
			t.Fatalf("a redelivered data request added a report: %s", body)
		}

		if payloadsNaming(t, st, "john@example.com") == 0 {
			t.Fatal("no stored payload names the customer before customers/redact: the check below would prove nothing")
		}
		if resp, body := h.webhook("customers/redact", shop, "gdpr-2", withShop("customers_redact.json")); resp.StatusCode != http.StatusOK {
			t.Fatalf("customers/redact: %d %s\n%s", resp.StatusCode, body, h.logText())
		}
		if held, _ := st.CustomerData(t.Context(), s.ID, "john@example.com", "555-625-1199"); len(held) != 0 {
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
