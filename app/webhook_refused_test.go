package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// refuseRows makes the database refuse rows of table whose column holds
// value, with SQLSTATE code on PostgreSQL (a trigger raising it) and a
// constraint error on SQLite (a trigger's RAISE(ABORT)): a database that
// cannot store one delivery's data, whatever the cause. name names the
// trigger, for dropRefusal.
func refuseRows(t *testing.T, st *store.Store, name, table, column, value, code string) {
	t.Helper()
	stmts := []string{
		fmt.Sprintf(`CREATE TRIGGER %[1]s_insert BEFORE INSERT ON %[2]s WHEN NEW.%[3]s = '%[4]s'
			BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, name, table, column, value),
		fmt.Sprintf(`CREATE TRIGGER %[1]s_update BEFORE UPDATE ON %[2]s WHEN NEW.%[3]s = '%[4]s'
			BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, name, table, column, value),
	}
	if st.Dialect() == store.DialectPostgres {
		stmts = []string{
			fmt.Sprintf(`CREATE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					IF NEW.%[2]s = '%[3]s' THEN
						RAISE EXCEPTION 'refused by the test' USING ERRCODE = '%[4]s';
					END IF;
					RETURN NEW;
				END $$`, name, column, value, code),
			fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE INSERT OR UPDATE ON %[2]s FOR EACH ROW EXECUTE FUNCTION %[1]s()`, name, table),
		}
	}
	for _, q := range stmts {
		if _, err := st.DB().ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// dropRefusal removes what refuseRows set up.
func dropRefusal(t *testing.T, st *store.Store, name, table string) {
	t.Helper()
	stmts := []string{"DROP TRIGGER " + name + "_insert", "DROP TRIGGER " + name + "_update"}
	if st.Dialect() == store.DialectPostgres {
		stmts = []string{"DROP TRIGGER " + name + " ON " + table, "DROP FUNCTION " + name + "()"}
	}
	for _, q := range stmts {
		if _, err := st.DB().ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestRefusedDeliveryIsKept: a delivery whose data the database refuses (a
// data exception, an integrity constraint: store.Permanent) is answered
// 200 and kept with the refusal, while the deliveries committed in the same
// batch are applied; it is not answered 5xx for Shopify to retry for hours.
func TestRefusedDeliveryIsKept(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "refused.myshopify.com"
		s := h.install(shop)
		refuseRows(t, st, "refuse_email", "sessions", "email", "refused@example.com", "22023")
		checkout := func(i int, email string) []byte {
			return loadPayload(t, "checkouts_create.json").with(t, map[string]any{
				"token": fmt.Sprintf("co-%d", i), "cart_token": fmt.Sprintf("cart-%d", i), "email": email}).bytes(t)
		}

		// Sent together, so that the poison one shares a batch with others
		// as often as not.
		const n = 8
		answers := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				email := fmt.Sprintf("shopper%d@example.com", i)
				if i == 3 {
					email = "refused@example.com"
				}
				resp, b := h.webhook("checkouts/create", shop, fmt.Sprintf("batch-%d", i), checkout(i, email))
				answers[i] = fmt.Sprintf("%d %s", resp.StatusCode, statusOf(b))
			})
		}
		wg.Wait()
		for i, a := range answers {
			want := "200 applied"
			if i == 3 {
				want = "200 kept"
			}
			if a != want {
				t.Errorf("delivery %d answered %s, want %s", i, a, want)
			}
		}
		if reason, _ := keptReason(t, st, "batch-3"); !strings.Contains(reason, "database refused") {
			t.Errorf("the refused delivery was kept with reason %q", reason)
		}
		if _, err := st.SessionByKey(t.Context(), s.ID, "cart-3"); err == nil {
			t.Errorf("the refused delivery made a session")
		}
		for i := range n {
			if _, err := st.SessionByKey(t.Context(), s.ID, fmt.Sprintf("cart-%d", i)); err != nil && i != 3 {
				t.Errorf("delivery %d of the batch was not applied: %v", i, err)
			}
		}
		if _, b := h.webhook("checkouts/create", shop, "batch-3", checkout(3, "refused@example.com")); statusOf(b) != "duplicate" {
			t.Errorf("redelivery of the refused delivery: %s", b)
		}

		// A compliance delivery whose row is refused is kept too.
		refuseRows(t, st, "refuse_request", "data_requests", "email", "john@example.com", "23514")
		before := dbState(t, st, "deliveries")
		resp, b := h.webhook("customers/data_request", shop, "dr-refused", complianceBody(t, "customers_data_request.json", shop))
		if resp.StatusCode != http.StatusOK || statusOf(b) != "kept" {
			t.Errorf("refused data request: %d %s, want 200 kept", resp.StatusCode, b)
		}
		sameState(t, "a refused data request", before, dbState(t, st, "deliveries"))

		// So is a delivery whose own row is refused: kept bare.
		refuseRows(t, st, "refuse_delivery", "deliveries", "event_id", "refuse-me", "22001")
		req := signedRequest(t, h, "checkouts/delete", shop, "del-refused", testkit.Fixture(t, "checkouts_delete.json"))
		req.Header.Set("X-Shopify-Event-Id", "refuse-me")
		if resp, b := h.do(req); resp.StatusCode != http.StatusOK || statusOf(b) != "kept" {
			t.Errorf("refused delivery row: %d %s, want 200 kept", resp.StatusCode, b)
		}
		if reason, k := keptReason(t, st, "del-refused"); !strings.Contains(reason, "database refused") || k.Delivery.EventID != "" {
			t.Errorf("refused delivery row kept as %+v, reason %q", k.Delivery, reason)
		}
	})
}

// TestUnavailableDatabaseStays503: an error a retry can fix (the server out
// of connections, a serialization failure, the connection gone) is a 503,
// with nothing recorded, so that Shopify delivers again; once it clears,
// the redelivery is applied.
func TestUnavailableDatabaseStays503(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, store.DialectPostgres)
	h := newHarness(t, st)
	const shop = "unavailable.myshopify.com"
	s := h.install(shop)
	for i, code := range []string{"53300", "40001", "57P03", "08006"} {
		email := fmt.Sprintf("busy%d@example.com", i)
		name := fmt.Sprintf("unavailable_%d", i)
		refuseRows(t, st, name, "sessions", "email", email, code)
		body := loadPayload(t, "checkouts_create.json").with(t, map[string]any{
			"token": fmt.Sprintf("co-%d", i), "cart_token": fmt.Sprintf("cart-%d", i), "email": email}).bytes(t)
		id := fmt.Sprintf("busy-%d", i)
		before := dbState(t, st)
		if resp, b := h.webhook("checkouts/create", shop, id, body); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("SQLSTATE %s: %d %s, want 503", code, resp.StatusCode, b)
		}
		sameState(t, "SQLSTATE "+code, before, dbState(t, st))
		dropRefusal(t, st, name, "sessions")
		if resp, b := h.webhook("checkouts/create", shop, id, body); statusOf(b) != "applied" {
			t.Errorf("SQLSTATE %s cleared: %d %s, want applied", code, resp.StatusCode, b)
		}
		if _, err := st.SessionByKey(t.Context(), s.ID, fmt.Sprintf("cart-%d", i)); err != nil {
			t.Errorf("SQLSTATE %s cleared: no session: %v", code, err)
		}
	}
}

// signedRequest is a webhook request as Shopify signs it, for tests that
// change a header.
func signedRequest(t *testing.T, h *harness, topic, shop, id string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range shopifytest.WebhookHeaders(testSecret, topic, shop, id, body) {
		req.Header[k] = v
	}
	return req
}
