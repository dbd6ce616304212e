package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// delivery is one signed webhook to post.
type delivery struct {
	topic, id string
	body      []byte
}

// journey builds the deliveries of one shopper who stops at stop: a cart
// worth cents at start, contact shopper<n>@example.com, an address in
// Ottawa, source web, on the scenario's clock (scenarioTimes); every
// second shopper who orders checks out express.
func journey(t *testing.T, n int, stop funnel.Stage, start time.Time, cents int64) []delivery {
	t.Helper()
	return deliveriesOf(t, journeys.Shopper{
		N: n, Cart: fmt.Sprintf("cart-%03d", n), Checkout: fmt.Sprintf("chk-%03d", n), Email: fmt.Sprintf("shopper%d@example.com", n),
		Stop: stop, At: scenarioTimes(start), Express: stop == funnel.StageCompleted && n%2 == 0,
		Items:  []journeys.Item{{Title: "Example T-Shirt", Cents: cents, Qty: 1}},
		Source: "web", Country: journeys.Country{Code: "CA", Name: "Canada", City: "Ottawa", Zip: "K1A 0B1"},
	})
}

// scenarioTimes is the scenario shoppers' clock: the cart at start, the
// checkout five minutes later, then a step every five minutes, the order
// at thirty.
func scenarioTimes(start time.Time) [funnel.StageCompleted + 1]time.Time {
	var at [funnel.StageCompleted + 1]time.Time
	for st, after := range map[funnel.Stage]time.Duration{
		funnel.StageAddedToCart: 0, funnel.StageCheckoutStarted: 5 * time.Minute, funnel.StageContactSubmitted: 10 * time.Minute,
		funnel.StageAddressSubmitted: 15 * time.Minute, funnel.StagePaymentReached: 20 * time.Minute, funnel.StageCompleted: 30 * time.Minute,
	} {
		at[st] = start.Add(after)
	}
	return at
}

// deliveriesOf builds a shopper's deliveries from the Shopify fixtures with the
// journey generator.
func deliveriesOf(t *testing.T, s journeys.Shopper) []delivery {
	t.Helper()
	p, err := journeys.NewPayloads(testkit.Fixture(t, "carts_create.json"), testkit.Fixture(t, "checkouts_create.json"), testkit.Fixture(t, "orders_create.rest-order-fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []delivery
	for _, w := range p.Render("scenario.myshopify.com", s) {
		out = append(out, delivery{topic: w.Topic, id: w.ID, body: w.Body})
	}
	return out
}

// TestScenarioReport delivers a few dozen journeys shuffled, with Shopify's
// redeliveries (same webhook id) and duplicate subscriptions (new id), and
// checks the exact report.
func TestScenarioReport(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "scenario.myshopify.com"
		h.install(shop)
		now := h.clock.Now()
		day := now.Add(-3 * 24 * time.Hour)

		// shoppers per furthest stage, all idle for days; plus two still active.
		plan := map[funnel.Stage]int{
			funnel.StageAddedToCart: 12, funnel.StageCheckoutStarted: 6, funnel.StageContactSubmitted: 5,
			funnel.StageAddressSubmitted: 4, funnel.StagePaymentReached: 3, funnel.StageCompleted: 8,
		}
		var all []delivery
		var wantRisk, wantOrders int64
		n := 0
		for _, stage := range funnel.Stages() {
			for i := 0; i < plan[stage]; i++ {
				n++
				cents := int64(1000 + n*137)
				all = append(all, journey(t, n, stage, day.Add(time.Duration(n)*time.Minute), cents)...)
				if stage != funnel.StageCompleted {
					wantRisk += cents
				} else {
					wantOrders += cents
				}
			}
		}
		for i := 0; i < 2; i++ {
			n++
			all = append(all, journey(t, n, funnel.StageContactSubmitted, now.Add(-20*time.Minute), 500)...)
		}

		rng := rand.New(rand.NewPCG(7, 11))
		sent := append([]delivery(nil), all...)
		for _, d := range all {
			switch rng.IntN(4) {
			case 0: // Shopify retries a delivery it thinks failed
				sent = append(sent, d)
			case 1: // a second subscription to the topic delivers it again
				sent = append(sent, delivery{topic: d.topic, id: d.id + "-dup", body: d.body})
			}
		}
		rng.Shuffle(len(sent), func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })
		for _, d := range sent {
			if resp, body := h.webhook(d.topic, shop, d.id, d.body); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", d.topic, d.id, resp.StatusCode, body)
			}
		}

		resp, body := h.api(http.MethodGet, "/api/funnel?from="+day.Format("2006-01-02")+"&to="+now.Format("2006-01-02"), shop, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/api/funnel: %d %s", resp.StatusCode, body)
		}
		var report struct {
			Shop, Currency string
			Stages         []struct {
				Key              string
				Sessions         int64
				RateFromPrevious *float64 `json:"rate_from_previous"`
			}
			AbandonedCarts   int64  `json:"abandoned_carts"`
			CheckoutDropoffs int64  `json:"checkout_dropoffs"`
			PaymentDropoffs  int64  `json:"payment_dropoffs"`
			ValueAtRisk      string `json:"value_at_risk"`
			OrderValue       string `json:"order_value"`
		}
		if err := json.Unmarshal(body, &report); err != nil {
			t.Fatal(err)
		}
		want := []int64{40, 28, 22, 15, 11, 8} // each stage counts every session that got at least this far
		if len(report.Stages) != 6 {
			t.Fatalf("report has %d stages", len(report.Stages))
		}
		for i, st := range funnel.Stages() {
			if report.Stages[i].Key != st.Key() || report.Stages[i].Sessions != want[i] {
				t.Errorf("stage %d = %s %d, want %s %d", i, report.Stages[i].Key, report.Stages[i].Sessions, st.Key(), want[i])
			}
		}
		if r := report.Stages[1].RateFromPrevious; r == nil || *r != 0.7 {
			t.Errorf("checkout_started rate_from_previous = %v, want 0.7", r)
		}
		if report.AbandonedCarts != 12 || report.CheckoutDropoffs != 15 || report.PaymentDropoffs != 3 {
			t.Errorf("drop-offs = %d/%d/%d, want 12/15/3", report.AbandonedCarts, report.CheckoutDropoffs, report.PaymentDropoffs)
		}
		if report.OrderValue != funnel.FormatMoney(wantOrders) {
			t.Errorf("order value %s, want %s", report.OrderValue, funnel.FormatMoney(wantOrders))
		}
		if report.ValueAtRisk != funnel.FormatMoney(wantRisk) || report.Shop != shop || report.Currency != "USD" {
			t.Errorf("value at risk %s %s (shop %s), want %s USD", report.ValueAtRisk, report.Currency, report.Shop, funnel.FormatMoney(wantRisk))
		}

		// The daily trend adds up to the report, day by day.
		resp, body = h.api(http.MethodGet, "/api/trend?from="+day.Format("2006-01-02")+"&to="+now.Format("2006-01-02"), shop, nil)
		var trend struct {
			Stages []string
			Days   []struct {
				Date     string
				Sessions []int64
			}
		}
		if err := json.Unmarshal(body, &trend); err != nil || resp.StatusCode != http.StatusOK || len(trend.Days) < 4 {
			t.Fatalf("/api/trend: %d %s", resp.StatusCode, body)
		}
		sums := make([]int64, 6)
		for _, d := range trend.Days {
			for i, n := range d.Sessions {
				sums[i] += n
			}
		}
		if !slices.Equal(sums, want) || trend.Stages[0] != "added_to_cart" {
			t.Fatalf("trend sums %v, want %v", sums, want)
		}

		// Segmented by source: cart-only sessions carry no source.
		resp, body = h.api(http.MethodGet, "/api/funnel?segment=source&from="+day.Format("2006-01-02")+"&to="+now.Format("2006-01-02"), shop, nil)
		var seg struct {
			Segments []struct {
				Value  string
				Stages []struct{ Sessions int64 }
			}
		}
		if err := json.Unmarshal(body, &seg); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("segmented report: %d %s", resp.StatusCode, body)
		}
		got := map[string][2]int64{}
		for _, s := range seg.Segments {
			got[s.Value] = [2]int64{s.Stages[0].Sessions, s.Stages[5].Sessions}
		}
		if len(got) != 2 || got["web"] != [2]int64{28, 8} || got["unknown"] != [2]int64{12, 0} {
			t.Fatalf("segments by source = %v, want web 28→8 and unknown 12→0", got)
		}
	})
}

// TestScenarioDemoHistory fills the app with the demo's store history over
// HTTP, as `funnelscope demo` does (a few shoppers on a fresh store, the
// shared demo history for the report), and finds in the report exactly
// what the history holds: each stage counts the shoppers whose webhooks
// got that far, and the late orders won back checkouts the scan had
// flagged. A second fill, as after a restart, finds the history there and
// sends nothing.
func TestScenarioDemoHistory(t *testing.T) {
	t.Parallel()
	// Fill posts every webhook of the history and says so.
	fresh := newHarness(t, openStore(t, store.DialectSQLite), demoConfig)
	fresh.clock.Set(demoNow)
	fresh.install(demoShop)
	var progress bytes.Buffer
	small := demoHistory(fresh.srv.URL, 12, fresh.app)
	small.Progress = &progress
	smallFirst, smallLate, err := small.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	n, err := demo.Fill(t.Context(), small)
	if err != nil || n != len(smallFirst)+len(smallLate) {
		t.Fatalf("Fill posted %d of %d webhooks: %v", n, len(smallFirst)+len(smallLate), err)
	}
	if want := fmt.Sprintf("demo data: delivering %d webhooks for 12 shoppers over 90 days…\n", n); !strings.HasPrefix(progress.String(), want) ||
		!strings.Contains(progress.String(), fmt.Sprintf("demo data: %d webhooks delivered in ", n)) {
		t.Errorf("progress:\n%s", progress.String())
	}

	// The shared demo history (sharedDemo) is this history, filled by Fill.
	h, shop := sharedDemo(t, store.DialectSQLite)
	sessions := demoSessions(store.DialectSQLite)
	history := demoHistory(h.srv.URL, sessions, h.app)
	history.Progress = &progress
	first, late, err := history.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	furthest := map[string]funnel.Stage{}
	recovered := map[string]bool{}
	for _, w := range append(first, late...) {
		furthest[w.Key] = max(furthest[w.Key], w.Stage)
		if w.Late {
			recovered[w.Key] = true
		}
	}
	if len(furthest) != sessions || len(recovered) == 0 {
		t.Fatalf("the history has %d shoppers, %d recovered", len(furthest), len(recovered))
	}

	now := h.clock.Now()
	from, to := now.AddDate(0, 0, -100).Format(time.DateOnly), now.Format(time.DateOnly)
	resp, body := h.api(http.MethodGet, "/api/funnel?from="+from+"&to="+to, shop, nil)
	var report struct{ Stages []struct{ Sessions int64 } }
	if err := json.Unmarshal(body, &report); err != nil || resp.StatusCode != http.StatusOK || len(report.Stages) != 6 {
		t.Fatalf("/api/funnel: %d %s", resp.StatusCode, body)
	}
	for i, stage := range funnel.Stages() {
		var want int64
		for _, f := range furthest {
			if f >= stage {
				want++
			}
		}
		if report.Stages[i].Sessions != want {
			t.Errorf("%s: %d sessions, the history has %d", stage.Key(), report.Stages[i].Sessions, want)
		}
	}
	resp, body = h.api(http.MethodGet, "/api/sessions?status=recovered&from="+from+"&to="+to, shop, nil)
	var page struct{ Total int }
	if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != http.StatusOK || page.Total != len(recovered) {
		t.Errorf("recovered sessions: %d %s, the history wins back %d", resp.StatusCode, body, len(recovered))
	}

	progress.Reset()
	if n, err := demo.Fill(t.Context(), history); n != 0 || err != nil || progress.String() != "demo data: the demo shop already has its history\n" {
		t.Errorf("a second fill posted %d webhooks (%v), said %q", n, err, progress.String())
	}
}
