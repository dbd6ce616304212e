package app_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// verdictReport is what the verdict test reads from /api/funnel.
type verdictReport struct {
	Stages []struct {
		Key                 string
		Sessions            int64
		RateFromPrevious    *float64 `json:"rate_from_previous"`
		DropoffFromPrevious int64    `json:"dropoff_from_previous"`
		ActiveFromPrevious  int64    `json:"active_from_previous"`
	}
	PaymentDropoffs        int64   `json:"payment_dropoffs"`
	ValueAtRisk            string  `json:"value_at_risk"`
	CartsAtRisk            int64   `json:"carts_at_risk"`
	ValueAtRiskWindowDays  int     `json:"value_at_risk_window_days"`
	AverageOrderValue      string  `json:"average_order_value"`
	AverageOrderValueBasis string  `json:"average_order_value_basis"`
	ElapsedDays            float64 `json:"elapsed_days"`
	Opportunities          []struct {
		To, Band    string
		Entering    int64
		Reached     int64
		Opportunity string
		Monthly     string `json:"monthly_opportunity"`
	}
}

// TestReportVerdictsAPIAndPage delivers a month of shoppers through the
// webhooks, with the clock at noon of the range's last day, and checks the
// API's verdicts, unrounded rates, drop-off split, value at risk and
// monthly estimates, then that the server-rendered page shows the same.
func TestReportVerdictsAPIAndPage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "verdicts.myshopify.com"
		h.install(shop)
		now := h.clock.Now().UTC().Truncate(24 * time.Hour).Add(12 * time.Hour)
		h.clock.Set(now)
		recent, old := now.Add(-2*24*time.Hour), now.Add(-10*24*time.Hour)
		var all []delivery
		var wantRisk, wantOrders int64
		n := 0
		shopper := func(stop funnel.Stage, start time.Time, atRisk bool) {
			n++
			cents := int64(2000 + n*100)
			all = append(all, journey(t, n, stop, start.Add(time.Duration(n)*time.Minute), cents)...)
			if atRisk {
				wantRisk += cents
			}
			if stop == funnel.StageCompleted {
				wantOrders += cents
			}
		}
		for range 48 { // carts abandoned two days ago: at risk
			shopper(funnel.StageAddedToCart, recent, true)
		}
		for range 2 { // carts abandoned ten days ago: past recovering
			shopper(funnel.StageAddedToCart, old, false)
		}
		for range 3 { // payment drop-offs
			shopper(funnel.StagePaymentReached, recent, true)
		}
		for range 8 {
			shopper(funnel.StageCompleted, recent, false)
		}
		// Still at payment, last active five minutes ago.
		all = append(all, journey(t, 100, funnel.StagePaymentReached, now.Add(-25*time.Minute), 9900)...)
		for _, d := range all {
			if resp, body := h.webhook(d.topic, shop, d.id, d.body); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", d.topic, d.id, resp.StatusCode, body)
			}
		}
		from, to := now.AddDate(0, 0, -29).Format("2006-01-02"), now.Format("2006-01-02")
		resp, body := h.api(http.MethodGet, "/api/funnel?from="+from+"&to="+to, shop, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/api/funnel: %d %s", resp.StatusCode, body)
		}
		var r verdictReport
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}

		// 62 carts, 12 checkouts: the rate is the quotient, not rounded.
		if r.Stages[0].Sessions != 62 || r.Stages[1].Sessions != 12 || *r.Stages[1].RateFromPrevious != 12.0/62 {
			t.Fatalf("stages %+v", r.Stages)
		}
		// 4 reached payment and went no further: 3 dropped off, 1 still shopping.
		if c := r.Stages[5]; c.DropoffFromPrevious != 3 || c.ActiveFromPrevious != 1 || r.PaymentDropoffs != 3 {
			t.Errorf("payment step: %d dropped off, %d active, %d payment drop-offs; want 3, 1, 3", c.DropoffFromPrevious, c.ActiveFromPrevious, r.PaymentDropoffs)
		}
		// Value at risk: the 51 carts abandoned within the last 7 days, not
		// the two from ten days ago nor the one still shopping.
		if r.CartsAtRisk != 51 || r.ValueAtRisk != funnel.FormatMoney(wantRisk) || r.ValueAtRiskWindowDays != 7 {
			t.Errorf("value at risk %s in %d carts (%d days), want %s in 51 (7)", r.ValueAtRisk, r.CartsAtRisk, r.ValueAtRiskWindowDays, funnel.FormatMoney(wantRisk))
		}
		if r.AverageOrderValueBasis != "orders" || r.AverageOrderValue != funnel.FormatMoney((wantOrders+4)/8) {
			t.Errorf("average order value %s (%s), want %s from orders", r.AverageOrderValue, r.AverageOrderValueBasis, funnel.FormatMoney((wantOrders+4)/8))
		}
		// The range ends today at noon: 29.5 days have passed.
		if r.ElapsedDays != 29.5 {
			t.Errorf("elapsed_days = %v, want 29.5", r.ElapsedDays)
		}
		// Only cart → checkout has enough shoppers for a verdict: below typical.
		bands := map[string]string{}
		for _, o := range r.Opportunities {
			bands[o.To] = o.Band
		}
		want := map[string]string{"checkout_started": "below_typical", "contact_submitted": "not_enough_shoppers",
			"address_submitted": "not_enough_shoppers", "payment_reached": "not_enough_shoppers", "completed": "not_enough_shoppers"}
		for k, v := range want {
			if bands[k] != v {
				t.Errorf("%s band %q, want %q", k, bands[k], v)
			}
		}
		top := r.Opportunities[0]
		rangeValue, _ := funnel.ParseMoney(top.Opportunity)
		monthly, _ := funnel.ParseMoney(top.Monthly)
		if top.To != "checkout_started" || rangeValue <= 0 || monthly < rangeValue || monthly > rangeValue*31/29 {
			t.Errorf("top opportunity %+v: the monthly figure is not the range's scaled by 30/29.5", top)
		}

		// The page of the same range shows the same.
		resp, body = h.api(http.MethodGet, "/api/view/report?from="+from+"&to="+to, shop, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/api/view/report: %d", resp.StatusCode)
		}
		html := string(body)
		chips := regexp.MustCompile(`data-stage="(\w+)"[^>]*>\s*<div class="step"[\s\S]*?data-field="rate_from_previous">([^<]*)</span>[\s\S]*?data-band="(\w+)"[^>]*>([^<]*)</s-badge>`).FindAllStringSubmatch(html, -1)
		if len(chips) != 5 {
			t.Fatalf("%d step chips on the page", len(chips))
		}
		for i, c := range chips {
			s := r.Stages[i+1]
			if c[1] != s.Key || c[3] != bands[s.Key] || c[2] != funnel.Percent(s.Sessions, r.Stages[i].Sessions) ||
				c[4] != funnel.Verdict(bands[s.Key]).Label() {
				t.Errorf("page step %q continues %q with chip %q %q; API %s %s %s", c[1], c[2], c[3], c[4], s.Key, funnel.Percent(s.Sessions, r.Stages[i].Sessions), bands[s.Key])
			}
		}
		fixes := regexp.MustCompile(`<span class="fix-value">about <span data-money="[^"]*" data-currency="USD" data-estimate>([^<]*)</span> a month</span>`).FindAllStringSubmatch(html, -1)
		if len(fixes) != 1 || fixes[0][1] != wholeDollars(top.Monthly) {
			t.Errorf("what to fix first = %q, want one step at about %s a month", fixes, wholeDollars(top.Monthly))
		}
		for _, want := range []string{
			`data-field="dropoff_from_previous">3</span> dropped off <span class="sep" aria-hidden="true">·</span> <span data-field="active_from_previous">1</span> still shopping`,
			`id="payment_dropoffs">3</dd>`, `id="still_shopping">1</dd>`,
			`id="at-risk-note">in 51 carts abandoned in the last 7 days</span>`,
			`id="m-conversion">` + funnel.Percent(8, 62) + `</span>`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("page lacks %s", want)
			}
		}
	})
}

// wholeDollars writes a rounded USD estimate as the page does: "$1,200".
func wholeDollars(amount string) string {
	whole := strings.TrimSuffix(amount, ".00")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "$" + b.String()
}
