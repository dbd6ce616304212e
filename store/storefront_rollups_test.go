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

// rollupBase is where the oracle's random visits begin.
var rollupBase = time.Date(2026, 11, 14, 22, 50, 0, 0, time.UTC)

// randomClientEvents is a random run of one client's storefront events
// over about a day: page views of every page type, product views and adds
// (two titles for one product), scroll depths, the embed's micro events,
// checkouts with their tokens, sometimes completed; now and then a pause
// over funnel.VisitGap, so that the client has several visits, which
// late events can merge.
func randomClientEvents(r *rand.Rand, client string) []funnel.StorefrontEvent {
	ua := oneOf(r, uaIPhone, uaIPad, uaDesktop, "", "Googlebot/2.1 (+http://www.google.com/bot.html)")
	at := rollupBase.Add(time.Duration(r.IntN(30*60)) * time.Minute)
	var out []funnel.StorefrontEvent
	for i := range 1 + r.IntN(14) {
		at = at.Add(time.Duration(r.IntN(20)) * time.Minute)
		if r.IntN(6) == 0 {
			at = at.Add(funnel.VisitGap + time.Duration(r.IntN(40))*time.Minute)
		}
		e := funnel.StorefrontEvent{ID: fmt.Sprintf("%s-%d", client, i), ClientID: client, At: at, Host: "oracle.myshopify.com", UserAgent: ua}
		product := oneOf(r, "p1", "p2", "p3")
		switch r.IntN(9) {
		case 0, 1:
			e.Name = funnel.EventPageViewed
			e.Path = oneOf(r, "/", "/collections/all", "/products/"+product, "/search", "/cart", "/pages/about", "/blogs/news")
			if r.IntN(4) == 0 {
				e.Query = "filter.p.vendor=acme"
			}
		case 2:
			e.Name, e.Path, e.ProductID, e.ProductTitle = funnel.EventProductViewed, "/products/"+product, product, oneOf(r, "Mug", "Mug", "Cup", "")
		case 3:
			e.Name, e.Path, e.ProductID, e.ProductTitle = funnel.EventProductAddedToCart, "/products/"+product, product, oneOf(r, "Mug", "Cup")
			e.Quantity, e.Value, e.Currency, e.CartToken = 1, int64(500+r.IntN(3000)), "USD", "cart-"+client
		case 4:
			e.Name, e.Path, e.ScrollPercent = funnel.EventScrollDepth, "/", oneOf(r, 25, 50, 100)
		case 5:
			e.Name, e.Path = oneOf(r, funnel.EventGalleryInteraction, funnel.EventReviewsReached, funnel.EventVariantSelected), "/products/"+product
		case 6:
			e.Name, e.Path = funnel.EventFilterUsed, "/collections/all"
		case 7:
			e.Name, e.Path, e.CheckoutToken = funnel.EventCheckoutStarted, "/checkouts/cn/x", fmt.Sprintf("chk-%s-%d", client, r.IntN(2))
		case 8:
			e.Name, e.Path, e.CheckoutToken = oneOf(r, funnel.EventPaymentInfoSubmitted, funnel.EventCheckoutCompleted), "/checkouts/cn/x", fmt.Sprintf("chk-%s-%d", client, r.IntN(2))
		}
		out = append(out, e)
	}
	return out
}

// TestStorefrontRollupsOracle is the oracle of the storefront rollups: the
// report's tallies read from them equal the domain's fold over the visits
// (StorefrontTalliesByFold), for every segment and in zones whose days
// fall on quarter-hours and in one whose do not, however the events came
// (shuffled, repeated, in batches of any size, merging visits late), with
// orders completing some visits before and after their events, after a
// customer's erasure, after migrations 00042 and 00044 filled them from
// the visits kept, and after a rebuild.
func TestStorefrontRollupsOracle(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "oracle.myshopify.com")
		other := storetest.Install(t, s, "other-oracle.myshopify.com")
		r := rand.New(rand.NewPCG(14, 42))
		var events []funnel.StorefrontEvent
		for i := range 60 {
			events = append(events, randomClientEvents(r, fmt.Sprintf("c%d", i))...)
		}
		// Visits in the partial quarters the odd zone's days begin and end in.
		for i, at := range []time.Time{time.Date(2026, 11, 15, 4, 57, 0, 0, time.UTC), time.Date(2026, 11, 17, 4, 50, 0, 0, time.UTC)} {
			for _, e := range storefrontVisit(fmt.Sprintf("edge%d", i), fmt.Sprintf("cart-edge%d", i), fmt.Sprintf("chk-edge%d", i), at) {
				if e.At.Before(at.Add(2 * time.Minute)) { // within the quarter
					events = append(events, e)
				}
			}
		}
		order := func(i int) {
			t.Helper()
			at := rollupBase.Add(time.Duration(i) * time.Hour)
			ev := funnel.Event{Kind: funnel.KindOrder, CheckoutToken: fmt.Sprintf("chk-c%d-%d", i, i%2), CreatedAt: at, UpdatedAt: at,
				Value: 1500, Currency: "USD", ItemCount: 1, Email: fmt.Sprintf("c%d@example.com", i), LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
			if _, err := s.IngestEvent(ctx, shop.ID, delivery(fmt.Sprintf("o%d", i), shop.Domain, "orders/create", `{}`), &ev); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 60; i += 3 { // orders before the pixel's events
			order(i)
		}
		mixed := append([]funnel.StorefrontEvent(nil), events...)
		for range 20 {
			mixed = append(mixed, events[r.IntN(len(events))])
		}
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		ingestIn := func(evs []funnel.StorefrontEvent) {
			t.Helper()
			for len(evs) > 0 {
				k := min(len(evs), 1+r.IntN(40))
				err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: evs[:k]}, {ShopID: other.ID, Events: evs[:k]}})
				if err != nil {
					t.Fatal(err)
				}
				evs = evs[k:]
			}
		}
		half := len(mixed) / 2
		ingestIn(mixed[:half])
		for i := 1; i < 60; i += 3 { // orders between
			order(i)
		}
		ingestIn(mixed[half:])
		for i := 2; i < 60; i += 3 { // and after
			order(i)
		}

		odd := time.FixedZone("LMT-4:56:02", -(4*3600 + 56*60 + 2)) // days not on quarter-hours
		ranges := []funnel.DayRange{
			funnel.NewDayRange(ymd(2026, 11, 10), ymd(2026, 11, 20), time.UTC),
			funnel.NewDayRange(ymd(2026, 11, 15), ymd(2026, 11, 15), time.UTC),
			funnel.NewDayRange(ymd(2026, 11, 15), ymd(2026, 11, 16), testkit.Zone(t, "Asia/Kathmandu")),
			funnel.NewDayRange(ymd(2026, 11, 14), ymd(2026, 11, 16), testkit.Zone(t, "America/St_Johns")),
			funnel.NewDayRange(ymd(2026, 11, 15), ymd(2026, 11, 16), odd),
		}
		check := func(when string) {
			t.Helper()
			for _, days := range ranges {
				for _, seg := range []string{"", funnel.SegmentDevice, funnel.SegmentLandingPageType} {
					got, err := s.StorefrontTallies(ctx, shop.ID, days, seg)
					if err != nil {
						t.Fatal(err)
					}
					want, err := s.StorefrontTalliesByFold(ctx, shop.ID, days, seg)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s, %s to %s in %s, segment %q:\nrollups %s\nfold    %s", when, days.Start(), days.End(), days.Location(), seg, dumpTallies(got), dumpTallies(want))
					}
				}
			}
		}
		check("after the ingest")
		all, err := s.StorefrontTallies(ctx, shop.ID, ranges[0], "")
		if err != nil {
			t.Fatal(err)
		}
		whole := all.Segments[store.AllSegment]
		if whole == nil || whole.Visits() < 60 || whole.Bots == 0 || whole.Furthest[funnel.StorefrontCompleted] == 0 || len(all.Products) != 3 {
			t.Fatalf("the random visits do not cover what the oracle checks: %s", dumpTallies(all))
		}

		// A customer's erasure takes its clients' visits out of the rollups,
		// as they count them: e1's visit, which its order completed, and
		// c3's.
		if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID,
			Events: storefrontVisit("e1", "cart-e1", "chk-e1", rollupBase.Add(3*time.Hour))}}); err != nil {
			t.Fatal(err)
		}
		e1 := funnel.Event{Kind: funnel.KindOrder, CheckoutToken: "chk-e1", CreatedAt: rollupBase.Add(4 * time.Hour), UpdatedAt: rollupBase.Add(4 * time.Hour),
			Email: "e1@example.com", Value: 1500, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
		if _, err := s.IngestEvent(ctx, shop.ID, delivery("o-e1", shop.Domain, "orders/create", `{}`), &e1); err != nil {
			t.Fatal(err)
		}
		check("after e1's order")
		if e, err := s.RedactCustomer(ctx, shop.ID, funnel.Customer{Email: "e1@example.com"}, store.ErasureRequest{}); err != nil || e.Visits != 1 {
			t.Fatalf("RedactCustomer = %+v, %v; want e1's visit erased", e, err)
		}
		ev := funnel.Event{Kind: funnel.KindCheckout, CartToken: "cart-c3", CheckoutToken: "chk-c3-0", CreatedAt: rollupBase, UpdatedAt: rollupBase,
			Email: "c3@example.com", Value: 1500, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
		if _, err := s.IngestEvent(ctx, shop.ID, delivery("co-c3", shop.Domain, "checkouts/create", `{}`), &ev); err != nil {
			t.Fatal(err)
		}
		if e, err := s.RedactCustomer(ctx, shop.ID, funnel.Customer{Email: "c3@example.com"}, store.ErasureRequest{}); err != nil || e.Visits == 0 {
			t.Fatalf("RedactCustomer = %+v, %v; want c3's visits erased", e, err)
		}
		check("after an erasure")

		// Migrations 00042 and 00044 undone and applied again: Migrate fills
		// the rollups from the visits kept and moves those orders completed.
		if err := s.MigrateTo(ctx, 41); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check("after migrations 00042 and 00044 filled the rollups")

		if err := s.RebuildStorefrontRollups(ctx, shop.ID); err != nil {
			t.Fatal(err)
		}
		check("after a rebuild")
		if after, err := s.StorefrontTallies(ctx, shop.ID, ranges[0], ""); err != nil || !reflect.DeepEqual(after.Segments, mustTallies(t, s, shop.ID, ranges[0]).Segments) {
			t.Errorf("a rebuild changed the tallies: %v", err)
		}
	})
}

func mustTallies(t *testing.T, s *store.Store, shopID int64, days funnel.DayRange) store.StorefrontTallies {
	t.Helper()
	out, err := s.StorefrontTalliesByFold(context.Background(), shopID, days, "")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dumpTallies prints tallies field by field.
func dumpTallies(t store.StorefrontTallies) string {
	out := "segments:"
	for k, v := range t.Segments {
		out += fmt.Sprintf(" %s=%+v", k, *v)
	}
	out += "\ndevices:"
	for k, v := range t.Devices {
		out += fmt.Sprintf(" %s=%+v", k, *v)
	}
	return out + fmt.Sprintf("\nproducts: %+v", t.Products)
}

// TestStorefrontOrdersRace writes each client's visit and the order that
// completes its checkout at the same moment, from two goroutines (on
// PostgreSQL, two transactions that each write what the other reads), and
// checks the rollups count every visit completed, as Visits does, and the
// payment section counts every session joined by its visit, as
// PaymentSessionsByVisit does (session_payments).
func TestStorefrontOrdersRace(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "race.myshopify.com")
		const n = 24
		for i := range n {
			client, chk := fmt.Sprintf("r%d", i), fmt.Sprintf("chk-r%d", i)
			at := rollupBase.Add(time.Duration(i) * time.Hour)
			events := storefrontVisit(client, "cart-"+client, chk, at)
			ev := funnel.Event{Kind: funnel.KindOrder, CheckoutToken: chk, CreatedAt: at.Add(10 * time.Minute), UpdatedAt: at.Add(10 * time.Minute),
				Value: 1500, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
			atOnce(t, func() error {
				return storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: events}})
			}, func() error {
				_, err := s.IngestEvent(ctx, shop.ID, delivery("race-"+client, shop.Domain, "orders/create", `{}`), &ev)
				return err
			})
		}
		days := funnel.NewDayRange(ymd(2026, 11, 10), ymd(2026, 11, 20), time.UTC)
		got, err := s.StorefrontTallies(ctx, shop.ID, days, "")
		if err != nil {
			t.Fatal(err)
		}
		want := mustTallies(t, s, shop.ID, days)
		if all := want.Segments[store.AllSegment]; all == nil || all.Furthest[funnel.StorefrontCompleted] != n {
			t.Fatalf("the fold over Visits does not complete every visit: %s", dumpTallies(want))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("rollups %s\nfold    %s", dumpTallies(got), dumpTallies(want))
		}
		checkPaymentJoined(t, s, shop.ID, n)
	})
}
