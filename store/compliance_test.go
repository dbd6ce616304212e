package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// The customers of the redaction tests: Jane is named by id, e-mail and
// phone; José by an e-mail with accents, composed (NFC).
var (
	jane = funnel.Customer{ID: 7451, Email: "jane@example.com", Phone: "+1 (555) 010-0000"}
	jose = funnel.Customer{Email: norm.NFC.String("josé@exämple.com")}
)

// bulkSessions inserts n sessions of other shoppers, keyed "bulk-000001"…,
// so that a customer's sessions keyed after them lie beyond the first chunk
// of a scan.
func bulkSessions(t *testing.T, s *store.Store, shopID int64, n int) {
	t.Helper()
	q := `INSERT INTO sessions (shop_id, session_key, started_at, last_activity, email, phone, created_at, updated_at)
		SELECT $1, 'bulk-' || lpad(g::text, 6, '0'), $2, $2, 'shopper' || g || '@example.com', '+49 30 ' || g, $2, $2
		FROM generate_series(1, $3::int) AS g`
	if s.Dialect() == store.DialectSQLite {
		q = `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $3)
		INSERT INTO sessions (shop_id, session_key, started_at, last_activity, email, phone, created_at, updated_at)
		SELECT $1, 'bulk-' || printf('%06d', n), $2, $2, 'shopper' || n || '@example.com', '+49 30 ' || n, $2, $2 FROM g`
	}
	if _, err := s.DB().ExecContext(context.Background(), q, shopID, t0, n); err != nil {
		t.Fatal(err)
	}
}

// TestRedactCustomer erases a customer however their details are written —
// JSON-escaped, in another case, composed or decomposed, a phone formatted
// or not, a payload naming them only by customer id — from sessions, alerts,
// data requests and kept payloads, on both databases, past the first chunk
// of every scan; another customer's and another shop's rows stay.
func TestRedactCustomer(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "redact-a.myshopify.com")
		b := storetest.Install(t, s, "redact-b.myshopify.com")
		bulkSessions(t, s, a.ID, 1200)
		session := func(sh store.Shop, key, email, phone string) {
			t.Helper()
			ev := checkoutEvent(key, "co-"+key, at(0), at(time.Minute), 100)
			ev.Email, ev.Phone, ev.RecoveryURL, ev.LandingSite = email, phone, "https://x/recover?token="+key, "/?utm=x"
			ingest(t, s, sh.ID, sh.Domain+"-"+key, ev)
		}
		session(a, "zz-jane-upper", "JANE@Example.COM", "")
		session(a, "zz-jane-phone", "", "15550100000")
		session(a, "zz-bob", "bob@example.com", "+1 555 010 0001")
		session(a, "zz-jose", norm.NFD.String("JOSÉ@EXÄMPLE.COM"), "")
		session(b, "zz-jane-upper", "jane@example.com", "")
		for _, key := range []string{"zz-jane-upper", "zz-bob"} {
			if _, err := s.DB().ExecContext(ctx, "INSERT INTO alerts (shop_id, session_key, kind, created_at) VALUES ($1, $2, 'checkout_dropoff', $3)", a.ID, key, t0); err != nil {
				t.Fatal(err)
			}
		}
		for i, dr := range []store.DataRequest{
			{ShopID: a.ID, RequestID: 1, CustomerID: 7451},
			{ShopID: a.ID, RequestID: 2, Email: "Jane@EXAMPLE.com"},
			{ShopID: a.ID, RequestID: 3, Phone: "+1 555 010 0000"},
			{ShopID: a.ID, RequestID: 4, CustomerID: 7452, Email: "bob@example.com"},
			{ShopID: a.ID, RequestID: 5, Email: norm.NFD.String("josé@exämple.com")},
			{ShopID: b.ID, RequestID: 6, CustomerID: 7451, Email: "jane@example.com"},
		} {
			dr.Report = json.RawMessage(`{}`)
			if err := s.SaveDataRequest(ctx, dr); err != nil {
				t.Fatalf("data request %d: %v", i, err)
			}
		}
		// More kept payloads than one chunk, at two instants, before the
		// customer's.
		for i := range 150 {
			if i == 75 {
				c.Set(at(time.Hour))
			}
			if _, err := s.KeepDelivery(ctx, &a.ID, delivery(fmt.Sprintf("fill-%d", i), a.Domain, "checkouts/update", `{"email":"bob@example.com"}`), ""); err != nil {
				t.Fatal(err)
			}
		}
		payloads := []struct {
			shop *store.Shop // nil: kept under a's domain without a shop
			id   string
			body string
			// erasedBy is the customer whose redaction drops the payload.
			erasedBy *funnel.Customer
		}{
			{&a, "escaped", `{"email":"jane\u0040example.com"}`, &jane},
			{&a, "upper", `{"customer":{"email":"JANE@EXAMPLE.COM"}}`, &jane},
			{&a, "phone", `{"billing_address":{"phone":"15550100000"}}`, &jane},
			{&a, "id-only", `{"id":99,"customer":{"id":7451,"email":null}}`, &jane},
			{nil, "orphan", `{"contact_email":"jane@example.com"}`, &jane},
			{&a, "bob", `{"id":7451,"email":"bob@example.com","customer":{"id":7452,"phone":"+1 555 010 0001"}}`, nil},
			{&a, "jose-nfc", `{"email":"` + norm.NFC.String("josé@exämple.com") + `"}`, &jose},
			{&a, "jose-nfd", `{"email":"` + norm.NFD.String("josé@exämple.com") + `"}`, &jose},
			{&a, "jose-escaped", `{"email":"jos\u0065\u0301@ex\u00e4mple.com"}`, &jose},
			{&b, "other-shop", `{"email":"jane@example.com","customer":{"id":7451}}`, nil},
		}
		for _, p := range payloads {
			var id *int64
			d := delivery(p.id, a.Domain, "checkouts/update", p.body)
			if p.shop != nil {
				id, d.ShopDomain = &p.shop.ID, p.shop.Domain
			}
			if _, err := s.KeepDelivery(ctx, id, d, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.KeepDelivery(ctx, nil, delivery("orphan-b", b.Domain, "checkouts/update", `{"email":"jane@example.com"}`), ""); err != nil {
			t.Fatal(err)
		}

		// The customer's data, matched the same way.
		data, err := s.CustomerData(ctx, a.ID, jane)
		if err != nil || !slices.Equal(keys(data), []string{"zz-jane-phone", "zz-jane-upper"}) && !slices.Equal(keys(data), []string{"zz-jane-upper", "zz-jane-phone"}) {
			t.Fatalf("CustomerData(jane) = %v, %v", keys(data), err)
		}
		if data, err := s.CustomerData(ctx, a.ID, jose); err != nil || !slices.Equal(keys(data), []string{"zz-jose"}) {
			t.Fatalf("CustomerData(josé) = %v, %v", keys(data), err)
		}
		if data, err := s.CustomerData(ctx, a.ID, funnel.Customer{}); err != nil || len(data) != 0 {
			t.Errorf("CustomerData with nothing = %v, %v", keys(data), err)
		}

		// The request itself, kept with its payload and its job.
		var queued int64
		dup, err := s.KeepPrivacyRequest(ctx, a.ID, delivery("redact-jane", a.Domain, "customers/redact", `{"customer":{"email":"jane@example.com"}}`), "queued",
			func(ctx context.Context, tx *sql.Tx, id int64) error {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM deliveries WHERE id = $1 AND payload IS NOT NULL", id).Scan(&n); err != nil || n != 1 {
					t.Errorf("the enqueue does not see its delivery in its transaction: %d %v", n, err)
				}
				queued = id
				return nil
			})
		if err != nil || dup || queued == 0 {
			t.Fatalf("KeepPrivacyRequest = %v, %v (id %d)", dup, err, queued)
		}
		dup, err = s.KeepPrivacyRequest(ctx, a.ID, delivery("redact-jane", a.Domain, "customers/redact", `{}`), "queued",
			func(context.Context, *sql.Tx, int64) error { t.Error("a redelivery was queued again"); return nil })
		if err != nil || !dup {
			t.Errorf("redelivered KeepPrivacyRequest = %v, %v", dup, err)
		}
		if _, err := s.KeepPrivacyRequest(ctx, a.ID, delivery("redact-fails", a.Domain, "customers/redact", `{}`), "queued",
			func(context.Context, *sql.Tx, int64) error { return errors.New("queue down") }); err == nil {
			t.Error("a failed enqueue was not an error")
		}
		if n := countRows(t, s, "deliveries", "webhook_id = 'redact-fails'"); n != 0 {
			t.Errorf("a request whose job could not be queued was kept")
		}

		e, err := s.RedactCustomer(ctx, a.ID, jane, store.ErasureRequest{DeliveryID: queued, Reason: func(e store.CustomerErasure) string {
			return fmt.Sprintf("%d/%d/%d", e.Sessions, e.Payloads, e.DataRequests)
		}})
		if want := (store.CustomerErasure{Sessions: 2, Payloads: 5, DataRequests: 3}); err != nil || e != want {
			t.Fatalf("RedactCustomer(jane) = %+v, %v; want %+v", e, err, want)
		}
		if n := countRows(t, s, "deliveries", "id = $1 AND payload IS NULL AND reason = '2/5/3'", queued); n != 1 {
			t.Errorf("the request was not settled with what was erased")
		}
		for _, key := range []string{"zz-jane-upper", "zz-jane-phone"} {
			got, err := s.SessionByKey(ctx, a.ID, key)
			if err != nil {
				t.Fatal(err)
			}
			if got.Email != "" || got.Phone != "" || got.RecoveryURL != "" || got.LandingSite != "" {
				t.Errorf("redacted session %s keeps personal data: %+v", key, got)
			}
			if got.Value != 100 || got.Furthest() != funnel.StageAddressSubmitted {
				t.Errorf("redaction lost funnel facts: %+v", got)
			}
			// Nor does its timeline tell what the customer did.
			if d, err := s.SessionDetail(ctx, a.ID, key); err != nil || len(d.Timeline) != 0 || d.TimelineEvents != 0 {
				t.Errorf("redacted session %s keeps a timeline of %d entries (%d events): %v", key, len(d.Timeline), d.TimelineEvents, err)
			}
		}
		for _, tc := range []struct {
			shop store.Shop
			key  string
		}{{a, "zz-bob"}, {b, "zz-jane-upper"}} {
			if d, err := s.SessionDetail(ctx, tc.shop.ID, tc.key); err != nil || len(d.Timeline) != 1 || d.TimelineEvents != 1 {
				t.Errorf("%s's session %s lost its timeline: %d entries, %d events, %v", tc.shop.Domain, tc.key, len(d.Timeline), d.TimelineEvents, err)
			}
		}
		if other, _ := s.SessionByKey(ctx, a.ID, "zz-bob"); other.Email != "bob@example.com" || other.Phone == "" {
			t.Errorf("another customer's session was redacted: %+v", other)
		}
		if other, _ := s.SessionByKey(ctx, b.ID, "zz-jane-upper"); other.Email != "jane@example.com" {
			t.Errorf("another shop's session was redacted: %+v", other)
		}
		if n := countRows(t, s, "sessions", "shop_id = $1 AND email LIKE 'shopper%'", a.ID); n != 1200 {
			t.Errorf("%d bulk sessions keep their e-mail, want 1200", n)
		}
		if n := countRows(t, s, "alerts", "shop_id = $1 AND session_key = 'zz-jane-upper'", a.ID); n != 0 {
			t.Error("the customer's alert is still there")
		}
		if n := countRows(t, s, "alerts", "shop_id = $1 AND session_key = 'zz-bob'", a.ID); n != 1 {
			t.Error("another customer's alert was deleted")
		}
		var left []int64
		for _, sh := range []store.Shop{a, b} {
			list, err := s.DataRequests(ctx, sh.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range list {
				left = append(left, d.RequestID)
			}
		}
		slices.Sort(left)
		if !slices.Equal(left, []int64{4, 5, 6}) {
			t.Errorf("data requests left %v, want [4 5 6]", left)
		}
		kept := func(id string) bool {
			return countRows(t, s, "deliveries", "webhook_id = $1 AND payload IS NOT NULL", id) == 1
		}
		for _, p := range payloads {
			if want := p.erasedBy != &jane; kept(p.id) != want {
				t.Errorf("after jane's redaction, payload %s kept = %v, want %v", p.id, !want, want)
			}
		}
		if !kept("orphan-b") || !kept("fill-0") || !kept("fill-149") {
			t.Error("payloads of another customer or shop were dropped")
		}

		e, err = s.RedactCustomer(ctx, a.ID, jose, store.ErasureRequest{})
		if want := (store.CustomerErasure{Sessions: 1, Payloads: 3, DataRequests: 1}); err != nil || e != want {
			t.Fatalf("RedactCustomer(josé) = %+v, %v; want %+v", e, err, want)
		}
		for _, p := range payloads {
			if want := p.erasedBy == nil; kept(p.id) != want {
				t.Errorf("after josé's redaction, payload %s kept = %v, want %v", p.id, !want, want)
			}
		}
		if got, _ := s.SessionByKey(ctx, a.ID, "zz-jose"); got.Email != "" {
			t.Errorf("the decomposed e-mail survived: %q", got.Email)
		}
		if e, err := s.RedactCustomer(ctx, a.ID, funnel.Customer{}, store.ErasureRequest{}); err != nil || e != (store.CustomerErasure{}) {
			t.Errorf("RedactCustomer with nothing = %+v, %v", e, err)
		}
	})
}

func TestRedactShop(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "gone.myshopify.com")
		b := storetest.Install(t, s, "stays.myshopify.com")
		for _, sh := range []store.Shop{a, b} {
			ingest(t, s, sh.ID, sh.Domain+"-1", cartEvent("cart", at(0), at(0), 100))
			if err := s.SaveSettings(ctx, store.Settings{ShopID: sh.ID, AbandonAfter: 2 * time.Hour}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, "INSERT INTO alerts (shop_id, session_key, kind, created_at) VALUES ($1, 'cart', 'abandoned_cart', $2)", sh.ID, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordPrices(ctx, sh.ID, 7, t0, []store.VariantPrice{{VariantID: 70, Price: 1900}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.KeepDelivery(ctx, nil, delivery("orphan", "gone.myshopify.com", "shop/redact", `{}`), ""); err != nil {
			t.Fatal(err)
		}
		if err := s.RedactShop(ctx, "gone.myshopify.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ShopByDomain(ctx, a.Domain); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("shop still there: %v", err)
		}
		for _, table := range []string{"sessions", "session_events", "settings", "alerts", "deliveries", "variant_prices"} {
			if n := countRows(t, s, table, "shop_id = $1", a.ID); n != 0 {
				t.Errorf("%d %s rows left", n, table)
			}
			if n := countRows(t, s, table, "shop_id = $1", b.ID); n != 1 {
				t.Errorf("other shop has %d %s rows, want 1", n, table)
			}
		}
		if n := countRows(t, s, "deliveries", "shop_domain = $1", a.Domain); n != 0 {
			t.Errorf("%d deliveries of the domain left", n)
		}
		if err := s.RedactShop(ctx, "gone.myshopify.com"); err != nil {
			t.Errorf("second RedactShop = %v", err)
		}
	})
}
