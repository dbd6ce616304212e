package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// paymentBase is where the payment oracle's sessions and visits begin.
var paymentBase = time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)

// randomPaymentSessions ingests random sessions numbered from to n-1 into
// the shop (tokens cart-<i> and chk-<i>): a cart, a checkout that reached
// payment or stopped before, some completed by an order with a gateway or
// without one, in several countries.
func randomPaymentSessions(t *testing.T, s *store.Store, r *rand.Rand, shopID int64, from, n int) {
	t.Helper()
	for i := from; i < n; i++ {
		cart, chk := fmt.Sprintf("cart-%d", i), fmt.Sprintf("chk-%d", i)
		at := paymentBase.Add(time.Duration(r.IntN(72*60)) * time.Minute)
		if r.IntN(3) > 0 {
			ingest(t, s, shopID, fmt.Sprintf("cart%d-%d", shopID, i), cartEvent(cart, at, at, 1500))
		}
		ev := checkoutEvent(cart, chk, at.Add(time.Minute), at.Add(2*time.Minute), 1500)
		ev.Country = oneOf(r, "DE", "US", "FR", "")
		ev.HasShippingLine = r.IntN(5) > 0 // else not at payment: left out
		ingest(t, s, shopID, fmt.Sprintf("chk%d-%d", shopID, i), ev)
		if r.IntN(3) == 0 {
			o := orderEvent(cart, chk, at.Add(5*time.Minute), 1500)
			o.Gateway = oneOf(r, "", "shopify_payments", "paypal")
			ingest(t, s, shopID, fmt.Sprintf("order%d-%d", shopID, i), o)
		}
	}
}

// randomPaymentClientEvents is a random run of one client's storefront
// events over a few hours in one to three visits, carrying the cart and
// checkout tokens of the sessions numbered below sessions (sometimes both
// of one session, sometimes of two sessions): checkouts, payment
// submissions, completions naming a gateway and a method, and payment
// error alerts at various steps.
func randomPaymentClientEvents(r *rand.Rand, client string, sessions int) []funnel.StorefrontEvent {
	ua := oneOf(r, uaIPhone, uaIPad, uaDesktop, "")
	at := paymentBase.Add(time.Duration(r.IntN(72*60)) * time.Minute)
	sess := r.IntN(sessions)
	var out []funnel.StorefrontEvent
	for i := range 1 + r.IntN(12) {
		at = at.Add(time.Duration(1+r.IntN(9)) * time.Minute)
		if r.IntN(8) == 0 {
			at = at.Add(funnel.VisitGap + time.Duration(r.IntN(40))*time.Minute)
			if r.IntN(2) == 0 {
				sess = r.IntN(sessions)
			}
		}
		e := funnel.StorefrontEvent{ID: fmt.Sprintf("%s-%d", client, i), ClientID: client, At: at, Host: "pay.myshopify.com", UserAgent: ua,
			Path: "/checkouts/cn/x"}
		chk := fmt.Sprintf("chk-%d", sess)
		switch r.IntN(8) {
		case 0:
			e.Name, e.Path = funnel.EventPageViewed, oneOf(r, "/", "/products/p1", "/cart")
		case 1:
			e.Name, e.Path, e.ProductID, e.ProductTitle = funnel.EventProductAddedToCart, "/products/p1", "p1", "Mug"
			e.Quantity, e.Value, e.Currency, e.CartToken = 1, 1500, "USD", fmt.Sprintf("cart-%d", sess)
		case 2:
			e.Name, e.CheckoutToken = funnel.EventCheckoutStarted, chk
		case 3:
			e.Name, e.CheckoutToken = oneOf(r, funnel.EventShippingInfoSubmitted, funnel.EventContactInfoSubmitted), chk
		case 4:
			e.Name, e.CheckoutToken = funnel.EventPaymentInfoSubmitted, chk
		case 5:
			e.Name, e.CheckoutToken = funnel.EventCheckoutCompleted, chk
			e.Gateway, e.PaymentMethod = oneOf(r, "", "paypal", "stripe", "shopify_payments"), oneOf(r, "", "creditCard", "wallet")
		default:
			e.Name, e.CheckoutToken, e.AlertType = funnel.EventAlertDisplayed, chk, oneOf(r, "PaymentError", "PAYMENT_ERROR", "PaymentError", "other")
		}
		out = append(out, e)
	}
	return out
}

// TestPaymentSessionsOracle is the oracle of the grouped payment read: on
// random sessions (some at payment, some completed with or without a
// gateway, some no visit carried a token of) and random visits (devices,
// gateways, methods, submissions, payment errors at several steps, events
// sent twice, visits carrying both tokens of a session or tokens of two),
// the report's payment section built of store.PaymentSessions equals the
// one built of the sessions read one by one with their decoded visits
// (PaymentSessionsByVisit, funnel.PaymentSessionOf), over the whole range
// and two parts, one with bounds off the quarter-hours, after the ingest, with the webhooks before the pixel's
// events, after them, and half before, and after migrations 00045 and
// 00048 filled the payment facts and the sessions' payments from what was
// kept.
func TestPaymentSessionsOracle(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(45, 3))
		const sessions = 90
		var checks []func(when string)
		for k, before := range []int{sessions, 0, sessions / 2} {
			shop := storetest.Install(t, s, fmt.Sprintf("pay-oracle-%d.myshopify.com", k))
			other := storetest.Install(t, s, fmt.Sprintf("other-pay-oracle-%d.myshopify.com", k))
			randomPaymentSessions(t, s, r, shop.ID, 0, before)
			randomPaymentSessions(t, s, r, other.ID, 0, 20)
			var events []funnel.StorefrontEvent
			for i := range 70 { // tokens of sessions 70 to 89 mostly unseen
				events = append(events, randomPaymentClientEvents(r, fmt.Sprintf("c%d", i), 70)...)
			}
			for range 15 {
				events = append(events, events[r.IntN(len(events))])
			}
			r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
			for evs := events; len(evs) > 0; {
				k := min(len(evs), 1+r.IntN(30))
				if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: shop.ID, Events: evs[:k]}}); err != nil {
					t.Fatal(err)
				}
				evs = evs[k:]
			}
			randomPaymentSessions(t, s, r, shop.ID, before, sessions)
			checks = append(checks, paymentOracle(t, s, shop.ID, fmt.Sprintf("%d of %d sessions before the events", before, sessions)))
		}
		check := func(when string) {
			t.Helper()
			for _, chk := range checks {
				chk(when)
			}
		}
		check("after the ingest")
		if err := s.MigrateTo(ctx, 44); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		check("after migrations 00045 and 00048")
	})
}

// paymentOracle checks that the shop's data exercises every rule of the
// payment section, and returns the check of the grouped read against the
// one by one.
func paymentOracle(t *testing.T, s *store.Store, shopID int64, name string) func(when string) {
	t.Helper()
	ctx := context.Background()
	ranges := []struct{ start, end time.Time }{
		{time.Time{}, time.Time{}},
		{paymentBase.Add(20 * time.Hour), paymentBase.Add(50 * time.Hour)},
		// Off the quarter-hours: the partial quarters come from the sessions.
		{paymentBase.Add(20*time.Hour + 7*time.Minute), paymentBase.Add(50*time.Hour + 61*time.Second)},
	}
	check := func(when string) {
		t.Helper()
		when = name + ", " + when
		for _, rg := range ranges {
			want, err := s.PaymentSessionsByVisit(ctx, shopID, rg.start, rg.end)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.PaymentSessions(ctx, shopID, rg.start, rg.end)
			if err != nil {
				t.Fatal(err)
			}
			w := funnel.BuildPaymentFriction(want, 1500, 30*24*time.Hour)
			g := funnel.BuildPaymentFriction(got, 1500, 30*24*time.Hour)
			wj, _ := json.Marshal(w)
			gj, _ := json.Marshal(g)
			if string(wj) != string(gj) {
				t.Errorf("%s, range %v–%v: PaymentSessions builds\n%s\nwant\n%s", when, rg.start, rg.end, paymentSummary(g), paymentSummary(w))
			}
			if len(got) >= len(want) && rg.start.IsZero() {
				t.Errorf("%s: %d grouped rows for %d sessions: not grouped", when, len(got), len(want))
			}
		}
	}
	// The data exercises every rule.
	all, err := s.PaymentSessionsByVisit(ctx, shopID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var pixel, submitted, errs, twice, methods, visitGateway int
	devices := map[string]bool{}
	for _, p := range all {
		if p.Pixel {
			pixel++
			devices[p.Device] = true
		}
		if p.Submitted {
			submitted++
		}
		if len(p.ErrorSteps) > 0 {
			errs++
		}
		if len(p.ErrorSteps) > 1 && p.ErrorSteps[0] != p.ErrorSteps[len(p.ErrorSteps)-1] {
			twice++
		}
		if p.Method != "" {
			methods++
		}
		if p.Gateway != "" && !p.Completed {
			visitGateway++
		}
	}
	if pixel == 0 || pixel == len(all) || submitted == 0 || errs == 0 || twice == 0 || methods == 0 || visitGateway == 0 || len(devices) < 3 {
		t.Fatalf("the data misses a rule: %d sessions, %d pixel, %d submitted, %d with errors, %d at two steps, %d methods, %d visits' gateways, devices %v",
			len(all), pixel, submitted, errs, twice, methods, visitGateway, devices)
	}
	return check
}

// paymentSummary is the figures of a payment section, without the texts.
func paymentSummary(p funnel.PaymentFriction) string {
	out := fmt.Sprintf("reached %d, completed %d, pixel %d, submitted %v, error sessions %v, errors %+v",
		p.Reached, p.Completed, p.PixelSessions, deref(p.Submitted), deref(p.ErrorSessions), p.Errors)
	for _, d := range p.Dimensions {
		out += "\n" + d.Key + ":"
		for _, r := range d.Rows {
			out += fmt.Sprintf(" %s %d/%d/%d/%d/%d", r.Value, r.Reached, r.Completed, r.PixelSessions, r.Submitted, r.Errors)
		}
	}
	return out
}

// deref is *p, -1 when nil.
func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}
