package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestSessionEveryColumnRoundTrips writes a session whose every column
// comes to hold a value, text that JSON must escape included, through each write
// (a new session, an update, the abandonment flag) and reads them back
// through each read (SessionByKey, ListSessions, the flag's RETURNING, the
// ingest's own lookup when the next event merges): each equals the events
// folded in memory.
func TestSessionEveryColumnRoundTrips(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "columns.myshopify.com")
		odd := "quote\" back\\slash ctl\x01\x1f\n\t <a href='x'>&amp;</a> line\u2028sep\u2029 🛒 ünï"
		cart := funnel.Event{
			Kind: funnel.KindCart, CartToken: "cart-" + odd, CreatedAt: at(0), UpdatedAt: at(time.Minute),
			Value: 4250, Currency: "EUR", ItemCount: 2,
			LineItems: []funnel.LineItem{{Title: odd, Quantity: 1}, {Title: "Tea", Quantity: 1}},
		}
		checkout := funnel.Event{
			Kind: funnel.KindCheckout, CartToken: cart.CartToken, CheckoutToken: "co-" + odd,
			CreatedAt: at(2 * time.Minute), UpdatedAt: at(3*time.Minute + 123456*time.Microsecond),
			Value: 4250, Currency: "EUR", ItemCount: 2, LineItems: cart.LineItems,
			Email: odd + "@example.com", Phone: "+49 " + odd, HasShippingAddress: true, HasBillingAddress: true,
			RequiresShipping: true, HasShippingLine: true, Country: "DE", Gateway: "pay " + odd,
			RecoveryURL: "https://shop.example/recover?" + odd, Returning: true, ReturningKnown: true,
			LandingSite: "/p?utm=" + odd, ReferringSite: "https://ref.example/" + odd, SourceName: "web " + odd,
		}
		order := funnel.Event{
			Kind: funnel.KindOrder, CartToken: cart.CartToken, CheckoutToken: checkout.CheckoutToken,
			CreatedAt: at(3 * time.Hour), UpdatedAt: at(3 * time.Hour), Value: 4250, Currency: "EUR", ItemCount: 2,
			LineItems: cart.LineItems, Email: checkout.Email, Country: "AT",
		}
		check := func(step string, want funnel.Session) {
			t.Helper()
			got, err := s.SessionByKey(ctx, sh.ID, want.Key)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: SessionByKey =\n%+v\nwant\n%+v", step, got, want)
			}
			list, _, err := s.ListSessions(ctx, store.SessionFilter{ShopID: sh.ID, Key: want.Key})
			if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], want) {
				t.Errorf("%s: ListSessions = %+v, %v; want\n%+v", step, list, err, want)
			}
		}

		ingest(t, s, sh.ID, "col-cart", cart)
		check("inserted", fold(cart))
		ingest(t, s, sh.ID, "col-checkout", checkout)
		want := fold(cart, checkout)
		if want.ContentAt.IsZero() || want.CompletedAt != nil || want.Attr(funnel.AttrCustomerType).Value != funnel.CustomerReturning {
			t.Fatalf("bad expectation %+v", want)
		}
		for _, a := range funnel.Attrs() {
			if want.Attr(a).Value == "" {
				t.Fatalf("bad expectation: attribute %s is empty", a.Key())
			}
		}
		check("updated", want)

		now := at(2 * time.Hour)
		flagged, err := flagAbandoned(ctx, s, sh.ID, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		want.AbandonedAt = &now
		if len(flagged) != 1 || !reflect.DeepEqual(flagged[0], want) {
			t.Errorf("flagged = %+v, want\n%+v", flagged, want)
		}
		check("flagged", want)

		ingest(t, s, sh.ID, "col-order", order)
		want = funnel.Merge(want, fold(order))
		if want.Country != "AT" {
			t.Fatalf("bad expectation %+v", want)
		}
		// Every field of the session has a value by now, so every column
		// was written and read back: a new field needs one here.
		// Device and LandingPageType are no columns: they are read from
		// the joined visit (funnel.JoinVisit), which the visit tests cover.
		v := reflect.ValueOf(want)
		for i := range v.NumField() {
			if name := v.Type().Field(i).Name; name == "Device" || name == "LandingPageType" {
				continue
			}
			if v.Field(i).IsZero() {
				t.Fatalf("bad expectation: the test gives Session.%s no value", v.Type().Field(i).Name)
			}
		}
		for _, st := range funnel.Stages() {
			if want.StageTime(st) == nil {
				t.Fatalf("bad expectation: no %s time", st)
			}
		}
		check("recovered", want)
	})
}
