package app_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	t = t.UTC()
	return &t
}

// TestWebhookFixtures posts every example payload through the real endpoint
// and checks the sessions they build, field by field.
func TestWebhookFixtures(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "fixtures.myshopify.com"
		s := h.install(shop)
		deliveries := []struct{ topic, file, want string }{
			{"carts/create", "carts_create.json", "applied"},
			{"carts/update", "carts_update.json", "applied"},
			{"checkouts/create", "checkouts_create.json", "applied"},
			{"checkouts/update", "checkouts_update.json", "applied"},
			{"checkouts/create", "checkouts_create.rest-abandoned-checkout-fixture.json", "applied"},
			{"checkouts/delete", "checkouts_delete.json", "kept"},
			{"orders/create", "orders_create.json", "kept"}, // no cart or checkout token: not a storefront journey
			{"orders/create", "orders_create.rest-order-fixture.json", "applied"},
			{"app/scopes_update", "app_scopes_update.json", "ignored"},
			{"customers/data_request", "customers_data_request.json", "kept"},
		}
		for i, d := range deliveries {
			resp, body := h.webhook(d.topic, shop, "fx-"+string(rune('a'+i)), testkit.Fixture(t, d.file))
			var got struct{ Status string }
			_ = json.Unmarshal(body, &got)
			if resp.StatusCode != http.StatusOK || got.Status != d.want {
				t.Fatalf("%s (%s): %d %s, want 200 %s", d.topic, d.file, resp.StatusCode, body, d.want)
			}
		}

		cart, err := st.SessionByKey(t.Context(), s.ID, "exampleCartId")
		if err != nil {
			t.Fatal(err)
		}
		wantCart := funnel.Session{
			Key: "exampleCartId", CartToken: "exampleCartId",
			StartedAt: *ts("2022-01-01T00:00:00Z"), LastActivity: *ts("2022-01-01T00:00:00Z"),
			AddedToCartAt: ts("2022-01-01T00:00:00Z"),
			ContentAt:     *ts("2022-01-01T00:00:00Z"), ContentRank: cart.ContentRank,
			Value: 5997, Currency: "USD", ItemCount: 3,
			LineItems: []funnel.LineItem{{Title: "Example T-Shirt - Small", Quantity: 3}},
		}
		assertSession(t, cart, wantCart)

		checkout, err := st.SessionByKey(t.Context(), s.ID, "eeafa272cebfd4b22385bc4b645e762c")
		if err != nil {
			t.Fatal(err)
		}
		at := ts("2022-01-01T00:00:00Z")
		wantCheckout := funnel.Session{
			Key: "eeafa272cebfd4b22385bc4b645e762c", CartToken: "eeafa272cebfd4b22385bc4b645e762c", CheckoutToken: "123123123",
			StartedAt: *at, LastActivity: *at,
			CheckoutStartedAt: at, ContactSubmittedAt: at, AddressSubmittedAt: at,
			ContentAt: *at, ContentRank: checkout.ContentRank, Value: 42188, Currency: "USD", ItemCount: 2,
			LineItems: []funnel.LineItem{{Title: "IPod Nano - 8GB", Quantity: 1}, {Title: "IPod Nano - 8GB", Quantity: 1}},
			Email:     "example@email.com", Country: "US", SourceName: "web",
			RecoveryURL: "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token",
		}
		for _, a := range []funnel.Attr{funnel.AttrEmail, funnel.AttrCountry, funnel.AttrSource, funnel.AttrRecoveryURL} {
			wantCheckout.AttrSeen[a] = funnel.Stamp{At: *at, Rank: funnel.KindCheckout.Rank()}
		}
		assertSession(t, checkout, wantCheckout)
		if checkout.Furthest() != funnel.StageAddressSubmitted {
			t.Errorf("checkout without a shipping line reached %v, want address_submitted", checkout.Furthest().Key())
		}

		// The REST checkout and the REST order share a cart token: one journey,
		// completed by the order, its earlier steps backfilled.
		order, err := st.SessionByKey(t.Context(), s.ID, "68778783ad298f1c80c3bafcddeea02f")
		if err != nil {
			t.Fatal(err)
		}
		if order.Furthest() != funnel.StageCompleted || !order.Backfilled() {
			t.Errorf("order session: furthest %s backfilled %v", order.Furthest().Key(), order.Backfilled())
		}
		if order.CompletedAt == nil || !order.CompletedAt.Equal(*ts("2008-01-10T16:00:00Z")) {
			t.Errorf("order completed at %v", order.CompletedAt)
		}
		if order.PaymentReachedAt == nil || !order.PaymentReachedAt.Equal(*ts("2012-10-12T11:05:27Z")) {
			t.Errorf("checkout with a shipping line: payment reached at %v", order.PaymentReachedAt)
		}
		if order.Email != "bob.norman@mail.example.com" || order.Value != 37969 || order.SourceName != "web" {
			t.Errorf("order session details: email %q value %d source %q", order.Email, order.Value, order.SourceName)
		}
		if order.Status(h.clock.Now(), time.Hour) != funnel.StatusCompleted {
			t.Errorf("order session status %s", order.Status(h.clock.Now(), time.Hour))
		}

		all, total, err := st.ListSessions(t.Context(), store.SessionFilter{ShopID: s.ID,
			From: *ts("2000-01-01T00:00:00Z"), To: *ts("2030-01-01T00:00:00Z"), Now: h.clock.Now(), Idle: time.Hour, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(all) != 3 {
			t.Fatalf("the fixtures built %d sessions, want 3", total)
		}

		kept, err := st.UnusableDeliveries(t.Context(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var reasons []string
		for _, k := range kept {
			reasons = append(reasons, k.Reason)
		}
		if !strings.Contains(strings.Join(reasons, "|"), "not a storefront order") {
			t.Errorf("the point-of-sale style order was not kept with its reason: %v", reasons)
		}
	})
}

func assertSession(t *testing.T, got, want funnel.Session) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < g.NumField(); i++ {
		name := g.Type().Field(i).Name
		gf, wf := g.Field(i).Interface(), w.Field(i).Interface()
		if gt, ok := gf.(*time.Time); ok {
			wt := wf.(*time.Time)
			if (gt == nil) != (wt == nil) || (gt != nil && !gt.Equal(*wt)) {
				t.Errorf("%s: %s = %v, want %v", want.Key, name, fmtTime(gt), fmtTime(wt))
			}
			continue
		}
		if gt, ok := gf.(time.Time); ok {
			if !gt.Equal(wf.(time.Time)) {
				t.Errorf("%s: %s = %v, want %v", want.Key, name, gt, wf)
			}
			continue
		}
		if !reflect.DeepEqual(gf, wf) {
			t.Errorf("%s: %s = %#v, want %#v", want.Key, name, gf, wf)
		}
	}
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
