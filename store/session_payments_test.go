package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestSessionPaymentsRace writes each client's visit and the checkout at
// payment that carries its tokens at the same moment, from two goroutines
// (on PostgreSQL, two transactions that each write what the other's
// session_payments rows read, and no checkout lock between them: nothing
// completes), and checks the payment section counts every session joined
// by its visit, as PaymentSessionsByVisit does.
func TestSessionPaymentsRace(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "pay-race.myshopify.com")
		const n = 40
		for i := range n {
			client, cart, chk := fmt.Sprintf("p%d", i), fmt.Sprintf("cart-p%d", i), fmt.Sprintf("chk-p%d", i)
			at := paymentBase.Add(time.Duration(i) * time.Hour)
			events := storefrontVisit(client, cart, chk, at)
			ev := checkoutEvent(cart, chk, at.Add(time.Minute), at.Add(2*time.Minute), 1500)
			ev.HasShippingLine = true
			atOnce(t, func() error {
				return storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: events}})
			}, func() error {
				_, err := s.IngestEvent(ctx, shop.ID, delivery("pay-race-"+client, shop.Domain, "checkouts/update", `{}`), &ev)
				return err
			})
		}
		checkPaymentJoined(t, s, shop.ID, n)
	})
}

// checkPaymentJoined checks that the shop's payment section over all time
// counts n sessions, every one joined by a visit, and equals the one built
// of the sessions read one by one (PaymentSessionsByVisit).
func checkPaymentJoined(t *testing.T, s *store.Store, shopID int64, n int64) {
	t.Helper()
	ctx := context.Background()
	got, err := s.PaymentSessions(ctx, shopID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.PaymentSessionsByVisit(ctx, shopID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	g, w := funnel.BuildPaymentFriction(got, 1500, 24*time.Hour), funnel.BuildPaymentFriction(want, 1500, 24*time.Hour)
	if w.Reached != n || w.PixelSessions != n {
		t.Fatalf("one by one, %d sessions at payment and %d joined, want %d: %s", w.Reached, w.PixelSessions, n, paymentSummary(w))
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("payment section %s\none by one %s", paymentSummary(g), paymentSummary(w))
	}
}

// atOnce runs fs in goroutines released at the same moment and fails the
// test with the first error.
func atOnce(t *testing.T, fs ...func() error) {
	t.Helper()
	start := make(chan struct{})
	errs := make(chan error, len(fs))
	for _, f := range fs {
		go func() {
			<-start
			errs <- f()
		}()
	}
	close(start)
	for range fs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
