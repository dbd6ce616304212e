package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// storefrontVisit is a small visit of client: a home page view, a product
// view and an add to cart carrying cart, then a checkout carrying chk.
func storefrontVisit(client, cart, chk string, at time.Time) []funnel.StorefrontEvent {
	ev := func(n int, name string) funnel.StorefrontEvent {
		return funnel.StorefrontEvent{ID: client + "-" + cart + "-" + name, ClientID: client, Name: name, At: at.Add(time.Duration(n) * time.Minute),
			Host: "shop.myshopify.com", Path: "/", UserAgent: uaDesktop}
	}
	home := ev(0, funnel.EventPageViewed)
	view := ev(1, funnel.EventProductViewed)
	view.Path, view.ProductID, view.ProductTitle = "/products/mug", "p1", "Mug"
	add := ev(2, funnel.EventProductAddedToCart)
	add.Path, add.ProductID, add.ProductTitle, add.Quantity, add.Value, add.Currency, add.CartToken = "/products/mug", "p1", "Mug", 1, 1500, "USD", cart
	co := ev(3, funnel.EventCheckoutStarted)
	co.Path, co.CheckoutToken = "/checkouts/cn/"+cart, chk
	return []funnel.StorefrontEvent{home, view, add, co}
}

// TestIngestStorefrontOrderInsensitive folds the events of several
// clients' visits shuffled, repeated and split into batches, and checks
// the stored visits equal those of one batch and of funnel.Fold.
func TestIngestStorefrontOrderInsensitive(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "a.myshopify.com")
		b := storetest.Install(t, s, "b.myshopify.com")
		var events []funnel.StorefrontEvent
		for i, client := range []string{"c1", "c2", "c3"} {
			events = append(events, storefrontVisit(client, "cart-"+client, "chk-"+client, t0.Add(-time.Duration(i)*time.Hour))...)
		}
		// c1 comes back 42 minutes after its first visit ended (a second
		// visit), and an event in the gap's middle, within 30 minutes of
		// both, bridges them into one, wherever it comes in the order.
		late := storefrontVisit("c1", "cart-c1b", "chk-c1b", t0.Add(45*time.Minute))
		bridge := funnel.StorefrontEvent{ID: "c1-bridge", ClientID: "c1", Name: funnel.EventPageViewed, At: t0.Add(25 * time.Minute), Path: "/pages/about"}
		events = append(append(events, late...), bridge)
		if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: a.ID, Events: events}}); err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(5, 6))
		mixed := append([]funnel.StorefrontEvent(nil), events...)
		mixed = append(mixed, events[r.IntN(len(events))], events[r.IntN(len(events))])
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		for len(mixed) > 0 {
			k := min(len(mixed), 1+r.IntN(4))
			// Two batches of the group at once, one of them the other shop's repeat.
			err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: b.ID, Events: mixed[:k]}, {ShopID: a.ID, Events: mixed[:k]}})
			if err != nil {
				t.Fatal(err)
			}
			mixed = mixed[k:]
		}
		from, to := t0.Add(-24*time.Hour), t0.Add(24*time.Hour)
		va, err := s.Visits(ctx, a.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		vb, err := s.Visits(ctx, b.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := funnel.Fold(nil, events)
		sortVisits(want)
		if len(va) != 3 || len(va[2].CartTokens) != 2 || !reflect.DeepEqual(va, vb) || !reflect.DeepEqual(va, want) {
			t.Errorf("visits differ:\none batch %+v\nmixed %+v\nfold %+v", va, vb, want)
		}
		// The rollups, kept by each write, do not depend on the order either.
		days := funnel.NewDayRange(from, to, time.UTC)
		ta, err := s.StorefrontTallies(ctx, a.ID, days, funnel.SegmentLandingPageType)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := s.StorefrontTallies(ctx, b.ID, days, funnel.SegmentLandingPageType)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ta, tb) || ta.Segments["home"] == nil || ta.Segments["home"].Visits() != 3 {
			t.Errorf("storefront tallies differ:\none batch %s\nmixed %s", dumpTallies(ta), dumpTallies(tb))
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM storefront_events WHERE shop_id = %d", a.ID)).Scan(&n); err != nil || n != len(events) {
			t.Errorf("shop a keeps %d raw events, %v; want %d (repeats are no-ops)", n, err, len(events))
		}
	})
}

// TestIngestStorefrontManyRowsAStatement stores one batch of more events
// than one multi-row statement carries on SQLite (rowsPerStatement): every
// event is kept once, and the visits are funnel.Fold's.
func TestIngestStorefrontManyRowsAStatement(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "many-events.myshopify.com")
		var events []funnel.StorefrontEvent
		for i := range 30 {
			client := fmt.Sprintf("m%d", i)
			events = append(events, storefrontVisit(client, "cart-"+client, "chk-"+client, t0.Add(-time.Duration(i)*time.Hour))...)
		}
		if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: events}}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM storefront_events WHERE shop_id = %d", shop.ID)).Scan(&n); err != nil || n != len(events) {
			t.Errorf("%d raw events kept, %v; want %d", n, err, len(events))
		}
		got, err := s.Visits(ctx, shop.ID, t0.Add(-48*time.Hour), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := funnel.Fold(nil, events)
		sortVisits(want)
		if len(got) != 30 || !reflect.DeepEqual(got, want) {
			t.Errorf("%d visits:\n%+v\nwant funnel.Fold's\n%+v", len(got), got, want)
		}
	})
}

// sortVisits orders visits by start, as Visits returns them.
func sortVisits(vs []funnel.Visit) {
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if vs[j].Start.Before(vs[i].Start) {
				vs[i], vs[j] = vs[j], vs[i]
			}
		}
	}
}

// TestOrderCompletesVisit checks that an orders/create naming a checkout
// token a visit carried completes that visit, whether the order or the
// pixel's events arrived first.
func TestOrderCompletesVisit(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "orders.myshopify.com")
		at := t0.Add(-3 * time.Hour)
		order := func(id, chk string) {
			t.Helper()
			ev := funnel.Event{Kind: funnel.KindOrder, CheckoutToken: chk, CreatedAt: at.Add(10 * time.Minute), UpdatedAt: at.Add(10 * time.Minute),
				Value: 1500, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
			if _, err := s.IngestEvent(ctx, shop.ID, delivery(id, shop.Domain, "orders/create", `{}`), &ev); err != nil {
				t.Fatal(err)
			}
		}
		pixel := func(client, chk string) {
			t.Helper()
			if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit(client, "cart-"+client, chk, at)}}); err != nil {
				t.Fatal(err)
			}
		}
		order("o1", "chk-1")
		pixel("order-first", "chk-1")
		pixel("pixel-first", "chk-2")
		order("o2", "chk-2")
		pixel("no-order", "chk-3")
		vs, err := s.Visits(ctx, shop.ID, at.Add(-time.Hour), at.Add(time.Hour))
		if err != nil || len(vs) != 3 {
			t.Fatalf("Visits = %d, %v", len(vs), err)
		}
		for _, v := range vs {
			done := v.ClientID != "no-order"
			if v.CompletedByOrder != done || (v.Furthest() == funnel.StorefrontCompleted) != done {
				t.Errorf("visit of %s: completed by order %v, furthest %s; want completed %v", v.ClientID, v.CompletedByOrder, v.Furthest(), done)
			}
			if done && !v.Stages[funnel.StorefrontCompleted].Equal(at.Add(10*time.Minute)) {
				t.Errorf("visit of %s completed at %v, want the order's time", v.ClientID, v.Stages[funnel.StorefrontCompleted])
			}
		}
		tallies, err := s.StorefrontTallies(ctx, shop.ID, funnel.NewDayRange(at, at, time.UTC), funnel.SegmentDevice)
		if err != nil {
			t.Fatal(err)
		}
		desk := tallies.Segments["desktop"]
		if desk == nil || desk.Visits() != 3 || desk.Furthest[funnel.StorefrontCompleted] != 2 || desk.ProductAdds != 3 {
			t.Errorf("tally by device: %+v", tallies.Segments)
		}
		if len(tallies.Products) != 1 || tallies.Products[0].Views != 3 || tallies.Products[0].Adds != 3 ||
			tallies.Products[0].AddValue != 4500 || tallies.Products[0].Title != "Mug" || tallies.Products[0].Orders != 2 {
			t.Errorf("products: %+v", tallies.Products)
		}
		if tallies.Devices[funnel.DeviceDesktop] == nil || tallies.Devices[funnel.DeviceDesktop].Visits() != 3 {
			t.Errorf("devices: %+v", tallies.Devices)
		}
	})
}

// TestStorefrontRetentionAndRedaction checks that the purge deletes only
// raw events past their retention and leaves visits, that customers/redact
// deletes the visits (and raw events) of the clients joined to the
// customer's sessions and no other, and that shop/redact deletes all.
func TestStorefrontRetentionAndRedaction(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "redact.myshopify.com")
		at := t0.Add(-3 * time.Hour)
		count := func(q string) int {
			t.Helper()
			var n int
			if err := s.DB().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit("old", "cart-old", "chk-old", at)}}); err != nil {
			t.Fatal(err)
		}
		c.Add(8 * 24 * time.Hour)
		if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit("jane", "cart-jane", "chk-jane", at)}}); err != nil {
			t.Fatal(err)
		}
		n, err := s.PurgeStorefrontEvents(ctx, c.Now().Add(-7*24*time.Hour))
		if err != nil || n != 4 {
			t.Fatalf("PurgeStorefrontEvents = %d, %v; want the 4 old events", n, err)
		}
		if got := count("SELECT count(*) FROM storefront_events"); got != 4 {
			t.Errorf("%d raw events left, want jane's 4", got)
		}
		if got := count("SELECT count(*) FROM visits"); got != 2 {
			t.Errorf("%d visits after the purge, want both", got)
		}
		ev := funnel.Event{Kind: funnel.KindCheckout, CartToken: "cart-jane", CheckoutToken: "chk-jane", CreatedAt: at, UpdatedAt: at.Add(5 * time.Minute),
			Email: jane.Email, Value: 1500, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
		if _, err := s.IngestEvent(ctx, shop.ID, delivery("co-jane", shop.Domain, "checkouts/create", `{}`), &ev); err != nil {
			t.Fatal(err)
		}
		// Jane's browser sends one more page view, accepted and not yet
		// folded when the erasure comes: the erasure folds it first, so
		// that no later fold brings her visit back.
		more := funnel.StorefrontEvent{ID: "jane-more", ClientID: "jane", Name: funnel.EventPageViewed, At: at.Add(10 * time.Minute),
			Host: "shop.myshopify.com", Path: "/", UserAgent: uaDesktop}
		if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: []funnel.StorefrontEvent{more}}}); err != nil {
			t.Fatal(err)
		}
		// Another shop's waiting events are not this erasure's to fold.
		other := storetest.Install(t, s, "other-redact.myshopify.com")
		if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: other.ID, Events: storefrontVisit("jane", "cart-o", "chk-o", at)}}); err != nil {
			t.Fatal(err)
		}
		e, err := s.RedactCustomer(ctx, shop.ID, jane, store.ErasureRequest{})
		if err != nil || e.Sessions != 1 || e.Visits != 1 {
			t.Fatalf("RedactCustomer = %+v, %v; want 1 session and 1 visit", e, err)
		}
		if got := count(fmt.Sprintf("SELECT count(*) FROM storefront_inbox WHERE shop_id = %d", other.ID)); got != 1 {
			t.Errorf("the erasure left %d of the other shop's inbox rows, want its 1 untouched", got)
		}
		if err := s.RedactShop(ctx, other.Domain); err != nil {
			t.Fatal(err)
		}
		if err := s.DrainStorefront(ctx); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{
			"SELECT count(*) FROM storefront_inbox":                           0,
			"SELECT count(*) FROM visits WHERE client_id = 'jane'":            0,
			"SELECT count(*) FROM storefront_events WHERE client_id = 'jane'": 0,
			"SELECT count(*) FROM visit_tokens WHERE token LIKE '%jane'":      0,
			"SELECT count(*) FROM visit_products":                             1,
			"SELECT count(*) FROM visits WHERE client_id = 'old'":             1,
		} {
			if got := count(q); got != want {
				t.Errorf("%s = %d, want %d", q, got, want)
			}
		}
		if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit("late", "cart-late", "chk-late", at)}}); err != nil {
			t.Fatal(err)
		}
		if err := s.RedactShop(ctx, shop.Domain); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"visits", "visit_tokens", "visit_products", "storefront_events", "storefront_inbox", "pixel_keys"} {
			if got := count("SELECT count(*) FROM " + table); got != 0 {
				t.Errorf("%s holds %d rows after shop/redact", table, got)
			}
		}
	})
}
