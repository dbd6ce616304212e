package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// t0 is the tests' reference instant.
var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// forEach runs fn on a fresh store of each dialect whose clock is c.
func forEach(t *testing.T, fn func(t *testing.T, s *store.Store, c *testkit.Clock)) {
	t.Helper()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			c := testkit.NewClock(t0)
			s := storetest.Open(t, d, func(o *store.Options) { o.Now = c.Now })
			fn(t, s, c)
		})
	}
}

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// cartEvent is a cart snapshot with items.
func cartEvent(cart string, created, updated time.Time, value int64) funnel.Event {
	return funnel.Event{
		Kind: funnel.KindCart, CartToken: cart, CreatedAt: created, UpdatedAt: updated,
		Value: value, Currency: "USD", ItemCount: 1,
		LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}},
	}
}

// checkoutEvent is a checkout snapshot with contact and address given.
func checkoutEvent(cart, checkout string, created, updated time.Time, value int64) funnel.Event {
	return funnel.Event{
		Kind: funnel.KindCheckout, CartToken: cart, CheckoutToken: checkout, CreatedAt: created, UpdatedAt: updated,
		Value: value, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}},
		Email: "ann@example.com", HasShippingAddress: true, RequiresShipping: true, Country: "DE",
		SourceName: "web",
	}
}

// orderEvent is an order snapshot.
func orderEvent(cart, checkout string, created time.Time, value int64) funnel.Event {
	return funnel.Event{
		Kind: funnel.KindOrder, CartToken: cart, CheckoutToken: checkout, CreatedAt: created, UpdatedAt: created,
		Value: value, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}},
		Email: "ann@example.com", Country: "DE", SourceName: "web", Returning: true, ReturningKnown: true,
	}
}

// delivery builds a delivery with a webhook id.
func delivery(id, domain, topic string, payload string) store.Delivery {
	return store.Delivery{WebhookID: id, EventID: "ev-" + id, Topic: topic, ShopDomain: domain, APIVersion: "2026-10", Payload: []byte(payload)}
}

// ingest ingests ev under a new webhook id and fails the test on error.
func ingest(t *testing.T, s *store.Store, shopID int64, id string, ev funnel.Event) {
	t.Helper()
	dup, err := s.IngestEvent(context.Background(), shopID, delivery(id, "", "carts/update", `{}`), &ev)
	if err != nil {
		t.Fatalf("IngestEvent(%s): %v", id, err)
	}
	if dup {
		t.Fatalf("IngestEvent(%s): unexpected duplicate", id)
	}
}

// flagAbandoned runs the abandonment scan with no alert for any session.
func flagAbandoned(ctx context.Context, s *store.Store, shopID int64, now time.Time, idle time.Duration) ([]funnel.Session, error) {
	var flagged []funnel.Session
	never := func(sess funnel.Session) (store.Alert, bool) {
		flagged = append(flagged, sess)
		return store.Alert{}, false
	}
	n, _, err := s.FlagAndQueueAlerts(ctx, shopID, now, idle, never, nil)
	if err == nil && n != len(flagged) {
		err = fmt.Errorf("FlagAndQueueAlerts reported %d sessions flagged, decided on %d", n, len(flagged))
	}
	return flagged, err
}
