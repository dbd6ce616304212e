package app_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// delivery is one signed webhook to post.
type delivery struct {
	topic, id string
	body      []byte
}

// journey builds the deliveries of one shopper who stops at stop, built from
// the fixtures with this shopper's tokens, times, contact and address.
func journey(t *testing.T, n int, stop funnel.Stage, start time.Time, cents int64) []delivery {
	t.Helper()
	cart := fmt.Sprintf("cart-%03d", n)
	chk := fmt.Sprintf("chk-%03d", n)
	stamp := func(d time.Duration) string { return start.Add(d).UTC().Format(time.RFC3339) }
	money := funnel.FormatMoney(cents)
	var out []delivery
	add := func(topic string, p payload) {
		out = append(out, delivery{topic: topic, id: fmt.Sprintf("%s-%s-%d", cart, topic, len(out)), body: p.bytes(t)})
	}

	c := loadPayload(t, "carts_create.json")
	item := c.lineItems()[0].(map[string]any)
	item["line_price"] = money
	add("carts/create", c.with(t, map[string]any{"id": cart, "token": cart, "created_at": stamp(0), "updated_at": stamp(0)}))
	if stop < funnel.StageCheckoutStarted {
		return out
	}
	if stop == funnel.StageCompleted && n%2 == 0 {
		// An express checkout: the order arrives with no checkout steps before it.
		add("orders/create", orderFor(t, cart, chk, stamp(30*time.Minute), money))
		return out
	}
	base := loadPayload(t, "checkouts_create.json").with(t, map[string]any{
		"token": chk, "cart_token": cart, "total_price": money, "subtotal_price": money,
		"email": nil, "phone": nil, "customer": nil, "shipping_address": nil, "billing_address": nil,
		"shipping_lines": []any{}, "created_at": stamp(5 * time.Minute), "updated_at": stamp(5 * time.Minute),
	})
	add("checkouts/create", base)
	step := base
	if stop >= funnel.StageContactSubmitted {
		step = step.with(t, map[string]any{"email": fmt.Sprintf("shopper%d@example.com", n), "updated_at": stamp(10 * time.Minute)})
		add("checkouts/update", step)
	}
	if stop >= funnel.StageAddressSubmitted {
		addr := map[string]any{"address1": fmt.Sprintf("%d Main Street", n), "city": "Ottawa", "zip": "K1A 0B1", "country": "Canada", "country_code": "CA"}
		step = step.with(t, map[string]any{"shipping_address": addr, "billing_address": addr, "updated_at": stamp(15 * time.Minute)})
		add("checkouts/update", step)
	}
	if stop >= funnel.StagePaymentReached {
		lines := []any{map[string]any{"code": "Standard", "title": "Standard", "price": "5.00", "source": "shopify"}}
		step = step.with(t, map[string]any{"shipping_lines": lines, "updated_at": stamp(20 * time.Minute)})
		add("checkouts/update", step)
	}
	if stop == funnel.StageCompleted {
		add("orders/create", orderFor(t, cart, chk, stamp(30*time.Minute), money))
	}
	return out
}

func orderFor(t *testing.T, cart, chk, at, money string) payload {
	return loadPayload(t, "orders_create.rest-order-fixture.json").with(t, map[string]any{
		"cart_token": cart, "checkout_token": chk, "created_at": at, "processed_at": at, "updated_at": at,
		"total_price": money, "subtotal_price": money, "source_name": "web",
	})
}

// TestScenarioReport delivers a few dozen journeys shuffled, with Shopify's
// redeliveries (same webhook id) and duplicate subscriptions (new id), and
// checks the exact report.
func TestScenarioReport(t *testing.T) {
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
