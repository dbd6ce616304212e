package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// Storefront user agents of each device.
const (
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	uaIPad    = "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	uaDesktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

// storefrontVisitsFor gives two of three of the random journeys 0..n-1
// (randomJourney's tokens cart-i and chk-i) a visit of their own client,
// landing on a random page type from a random device, that carried the
// cart token (or, one time in four, only the checkout token).
func storefrontVisitsFor(t *testing.T, s *store.Store, shopID int64, n int, r *rand.Rand) {
	t.Helper()
	var events []funnel.StorefrontEvent
	for i := range n {
		if r.IntN(3) == 0 {
			continue
		}
		client := fmt.Sprintf("client-%d", i)
		at := partitionBase.Add(time.Duration(r.IntN(3*24*60)) * time.Minute)
		ua := oneOf(r, uaIPhone, uaIPad, uaDesktop, "")
		path := oneOf(r, "/", "/collections/all", "/products/mug", "/pages/about")
		land := funnel.StorefrontEvent{ID: client + "-land", ClientID: client, Name: funnel.EventPageViewed, At: at,
			Host: "partition.myshopify.com", Path: path, UserAgent: ua}
		add := funnel.StorefrontEvent{ID: client + "-add", ClientID: client, Name: funnel.EventProductAddedToCart,
			At: at.Add(time.Minute), Host: "partition.myshopify.com", Path: "/products/mug", UserAgent: ua,
			ProductID: "1", CartToken: fmt.Sprintf("cart-%d", i)}
		if r.IntN(4) == 0 {
			add.Name, add.CartToken, add.CheckoutToken = funnel.EventCheckoutStarted, "", fmt.Sprintf("chk-%d", i)
		}
		events = append(events, land, add)
	}
	if err := storetest.IngestStorefront(context.Background(), s, []store.StorefrontBatch{{ShopID: shopID, Events: events}}); err != nil {
		t.Fatal(err)
	}
}

// TestVisitJoinEitherOrder checks that a funnel session takes its device
// and landing page type from the visit that carried its cart token whether
// the webhook or the pixel's events came first, that a session no visit
// carried a token of has device "unknown", and that segment=device splits
// them so.
func TestVisitJoinEitherOrder(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "join.myshopify.com")
		at := t0.Add(-2 * time.Hour)
		pixel := func(client, cart string) {
			t.Helper()
			evs := []funnel.StorefrontEvent{
				{ID: client + "-1", ClientID: client, Name: funnel.EventPageViewed, At: at, Host: "join.myshopify.com", Path: "/products/mug", UserAgent: uaIPhone},
				{ID: client + "-2", ClientID: client, Name: funnel.EventCart, At: at.Add(time.Minute), CartToken: cart},
			}
			if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: evs}}); err != nil {
				t.Fatal(err)
			}
		}
		webhook := func(id, cart string) {
			t.Helper()
			ev := funnel.Event{Kind: funnel.KindCart, CartToken: cart, CreatedAt: at.Add(time.Minute), UpdatedAt: at.Add(time.Minute),
				Value: 1000, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
			if _, err := s.IngestEvent(ctx, shop.ID, delivery(id, shop.Domain, "carts/create", `{}`), &ev); err != nil {
				t.Fatal(err)
			}
		}
		pixel("first-pixel", "cart-a")
		webhook("wh-a", "cart-a")
		webhook("wh-b", "cart-b")
		pixel("first-webhook", "cart-b")
		webhook("wh-c", "cart-c")
		sessions, _, err := s.ListSessions(ctx, store.SessionFilter{ShopID: shop.ID})
		if err != nil || len(sessions) != 3 {
			t.Fatalf("ListSessions = %d sessions, %v", len(sessions), err)
		}
		for _, ss := range sessions {
			want := funnel.DeviceMobile
			if ss.CartToken == "cart-c" {
				want = ""
			}
			if ss.Device != want || (want != "" && ss.LandingPageType != funnel.PageProduct) {
				t.Errorf("session %s: device %q, landing %q; want %q", ss.CartToken, ss.Device, ss.LandingPageType, want)
			}
		}
		got, err := s.FunnelTally(ctx, shop.ID, t0.Add(-24*time.Hour), t0.Add(time.Hour), t0, time.Hour, funnel.SegmentDevice)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["mobile"] == nil || got["unknown"] == nil ||
			got["mobile"].Furthest[funnel.StageAddedToCart] != 2 || got["unknown"].Furthest[funnel.StageAddedToCart] != 1 {
			t.Errorf("by device: %v", got)
		}
	})
}
