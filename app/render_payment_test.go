package app

import (
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestRenderHoldout renders the hold-out figure beside the plain
// "recovered after an alert": off without held-out carts, "not enough
// carts yet" with too few, and each group's rate with its Wilson interval
// and the difference with Newcombe's when there are enough.
func TestRenderHoldout(t *testing.T) {
	base := viewOf(funnel.Tally{}, nil)
	cases := []struct {
		name             string
		alerted, heldOut funnel.RecoveryArm
		want, not        []string
	}{
		{"off", funnel.RecoveryArm{Carts: 40, Recovered: 8, RecoveredValue: 40000}, funnel.RecoveryArm{},
			[]string{`id="holdout-off"`, "8 of 40 carts alerted were bought after the alert"}, []string{`id="holdout-table"`}},
		{"too few", funnel.RecoveryArm{Carts: 40, Recovered: 8, RecoveredValue: 40000}, funnel.RecoveryArm{Carts: 5, Recovered: 1, RecoveredValue: 5000},
			[]string{`id="holdout-too-few"`, "Not enough carts yet", `id="holdout-table"`}, []string{`id="holdout-lift"`}},
		{"enough", funnel.RecoveryArm{Carts: 200, Recovered: 50, RecoveredValue: 250000}, funnel.RecoveryArm{Carts: 100, Recovered: 10, RecoveredValue: 50000},
			[]string{`id="holdout-lift"`, "Difference: 15.0 points", `data-verdict="alerts_add_recoveries"`}, []string{"Not enough carts yet"}},
	}
	for _, c := range cases {
		h := funnel.BuildHoldout(c.alerted, c.heldOut, c.alerted)
		v := base
		v.Holdout = buildHoldoutView(&h, "USD")
		html := renderHome(t, v)
		noNaN(t, html)
		for _, w := range c.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: page lacks %q", c.name, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(html, n) {
				t.Errorf("%s: page shows %q", c.name, n)
			}
		}
		if c.name == "enough" {
			// 50 of 200 alerted: 25.0%, Wilson 95% interval 19.5–31.4%.
			lo, hi := funnel.Wilson(50, 200)
			want := "25.0% (95% interval " + pct1(lo) + "–" + pct1(hi) + "%)"
			if !strings.Contains(html, want) || pct1(lo) != "19.5" || pct1(hi) != "31.4" {
				t.Errorf("alerted rate: page lacks %q", want)
			}
		}
	}
}

func pct1(x float64) string {
	return strings.TrimSuffix(funnel.Percent(int64(x*1e6+0.5), 1e6), "%")
}

// TestRenderPayment renders the payment section: with the pixel, the
// submitted payments, the errors per step and the method split; without
// it, "needs the pixel" and no method split; the gateway split never
// shows a completion rate.
func TestRenderPayment(t *testing.T) {
	var ss []funnel.PaymentSession
	for range 40 {
		ss = append(ss, funnel.PaymentSession{Device: "mobile", Country: "DE", Pixel: true, Submitted: true, ErrorSteps: []funnel.StorefrontStage{funnel.StorefrontPaymentSubmitted}})
	}
	for range 10 {
		ss = append(ss, funnel.PaymentSession{Completed: true, Device: "mobile", Country: "DE", Gateway: "paypal", Pixel: true, Submitted: true, Method: "wallet"})
	}
	p := funnel.BuildPaymentFriction(ss, 5000, 30*24*time.Hour)
	v := viewOf(funnel.Tally{}, nil)
	v.Currency = "USD"
	v.Payment = buildPaymentView(&p, "USD")
	html := renderHome(t, v)
	noNaN(t, html)
	for _, w := range []string{`id="payment"`, `id="payment-reached">50<`, `id="payment-submitted">50 · 100.0%<`,
		`data-payment-dim="payment_method"`, "Submitted payment: 40 errors, 40 shoppers", `id="payment-lost"`, `data-note="gateway"`} {
		if !strings.Contains(html, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	_, gw, ok := strings.Cut(html, `data-payment-dim="gateway"`)
	gw, _, ok2 := strings.Cut(gw, "</s-table>")
	if !ok || !ok2 {
		t.Fatal("the page has no gateway split")
	}
	if strings.Contains(gw, `data-field="rate"`) || strings.Contains(gw, "Completion") {
		t.Error("the gateway split shows a completion rate")
	}
	for i := range ss {
		ss[i].Pixel, ss[i].Submitted, ss[i].ErrorSteps, ss[i].Method = false, false, nil, ""
	}
	p = funnel.BuildPaymentFriction(ss, 5000, 30*24*time.Hour)
	v.Payment = buildPaymentView(&p, "USD")
	html = renderHome(t, v)
	if !strings.Contains(html, `id="payment-submitted">needs the pixel<`) || !strings.Contains(html, `id="payment-needs-pixel"`) || strings.Contains(html, `data-payment-dim="payment_method"`) {
		t.Error("without the pixel, the page does not say what needs it")
	}
	v.Payment = nil
	if html := renderHome(t, v); strings.Contains(html, `id="payment"`) {
		t.Error("a report without sessions at payment shows the payment section")
	}
}
