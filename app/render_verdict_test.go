package app

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/templates"
)

// demoLikeTally is a month like the demo's: 1,310 carts, 298 orders, one
// shopper still active at payment, two steps below typical, one good.
func demoLikeTally() funnel.Tally {
	var t funnel.Tally
	// Reached: 1310, 700, 600, 580, 394, 298.
	t.Furthest = [funnel.StageCompleted + 1]int64{4, 610, 100, 20, 186, 96, 298}
	t.Active[funnel.StagePaymentReached] = 1
	t.AbandonedCarts, t.CheckoutDropoffs, t.PaymentDropoffs = 610, 306, 95
	t.CartsAtRisk, t.ValueAtRisk = 18, 1234_00
	t.OrderValue, t.UnorderedValue, t.Currency = 15525_80, 40000_00, "USD"
	return t
}

// stepOf returns the HTML of one stage's list item.
func stepOf(t *testing.T, html, key string) string {
	t.Helper()
	i := strings.Index(html, `data-stage="`+key+`"`)
	if i < 0 {
		t.Fatalf("no stage %s on the page", key)
	}
	j := strings.Index(html[i:], "</li>")
	return html[i : i+j]
}

// TestRenderVerdictsAgree renders a month like the demo's and checks that
// the chips, "what to fix first", the rates and the drop-offs say one
// thing: the verdicts of funnel.Judge, each rate rounded once from its
// counts, and the sessions between two stages split into dropped off and
// still shopping.
func TestRenderVerdictsAgree(t *testing.T) {
	v := viewOf(demoLikeTally(), nil)
	html := renderHome(t, v)
	noNaN(t, html)

	// 298 of 1310 is 22.748%: once rounded, 22.7% (0.2275 rounded again
	// was 22.8%).
	if !strings.Contains(html, `id="m-conversion">22.7%</span>`) {
		t.Error("cart to order is not 22.7%")
	}
	// Every step's chip, in words, with what it rests on.
	for key, want := range map[string]string{
		"checkout_started":  "below_typical|Below typical",
		"contact_submitted": "typical|Typical",
		"address_submitted": "good|Good",
		"payment_reached":   "below_typical|Below typical",
		"completed":         "typical|Typical",
	} {
		band, label, _ := strings.Cut(want, "|")
		chip := regexp.MustCompile(`<s-badge class="band" tone="` + templates.VerdictTone(band) + `" data-field="band" data-band="` + band + `" title="Typical stores reach [^"]+ \(95% interval\)\.">` + label + `</s-badge>`)
		if step := stepOf(t, html, key); !chip.MatchString(step) {
			t.Errorf("%s step lacks the chip %s:\n%s", key, label, step)
		}
	}
	// 298 of 394 at payment: 75.6%, about the typical 78% (the interval is
	// 71.2–79.6%, ten points wide at most).
	if !strings.Contains(stepOf(t, html, "completed"), `title="Typical stores reach 78%, the best 82%; with 394 shoppers, this step&#39;s rate is likely 71.2–79.6% (95% interval).">Typical</s-badge>`) {
		t.Error("the payment step's chip does not say what its verdict rests on")
	}
	for key, rate := range map[string]string{"checkout_started": "53.4%", "contact_submitted": "85.7%", "address_submitted": "96.7%",
		"payment_reached": "67.9%", "completed": "75.6%"} {
		if step := stepOf(t, html, key); !strings.Contains(step, `data-field="rate_from_previous">`+rate+`</span>`) {
			t.Errorf("%s step does not continue at %s", key, rate)
		}
	}
	// 96 reached payment and went no further: 95 dropped off, 1 still
	// shopping; the payment drop-off card says 95, the still-shopping one 1.
	pay := stepOf(t, html, "completed")
	if !strings.Contains(pay, `data-field="dropoff_from_previous">95</span> dropped off`) ||
		!strings.Contains(pay, `data-field="active_from_previous">1</span> still shopping`) {
		t.Errorf("payment step does not split 96 into 95 dropped off and 1 still shopping:\n%s", pay)
	}
	if !strings.Contains(html, `id="payment_dropoffs">95</dd>`) || !strings.Contains(html, `id="still_shopping">1</dd>`) {
		t.Error("drop-off cards do not read 95 payment drop-offs and 1 still shopping")
	}
	if strings.Contains(stepOf(t, html, "checkout_started"), "still shopping") {
		t.Error("a step with nobody still active shows a still-shopping count")
	}

	// What to fix first: only the two steps below typical, largest first,
	// per month, rounded to two significant figures.
	// address→payment: 580 × (0.85 − 394/580) × 298/394 × 52.10 = 3,901.15 ± 865.71 → 3,900
	// cart→checkout: 1310 × (0.65 − 700/1310) × 298/700 × 52.10 = 3,360.23 ± 783.70 → 3,400
	fixes := regexp.MustCompile(`(?s)<li class="fix" data-rank="(\d)">.*?<strong>(.*?)</strong> <s-badge class="band" tone="\w+" data-band="(\w+)">(.*?)</s-badge> <span class="fix-value">about <span data-money="([0-9.]+)" data-currency="USD" data-estimate>(.*?)</span> a month</span>`).FindAllStringSubmatch(html, -1)
	want := [][]string{
		{"1", "Gave address → Reached payment", "below_typical", "Below typical", "3900.00", "$3,900"},
		{"2", "Added to cart → Started checkout", "below_typical", "Below typical", "3400.00", "$3,400"},
	}
	if len(fixes) != len(want) {
		t.Fatalf("what to fix first lists %d steps, want %d: %q", len(fixes), len(want), fixes)
	}
	for i, f := range fixes {
		got := f[1:]
		got[1] = strings.ReplaceAll(got[1], "&rarr;", "→")
		for j := range want[i] {
			if got[j] != want[i][j] {
				t.Errorf("fix %d = %q, want %q", i+1, got, want[i])
				break
			}
		}
	}
	if !strings.Contains(html, "67.9% of 580 shoppers continued; typical stores reach 85%, the best 92%.") {
		t.Error("the payment fix does not state its rate against the benchmark")
	}

	// The header and the footnote say the same about the order value.
	const aov = "Order value: $52.10, the range&#39;s order revenue over its 298 orders."
	if strings.Count(html, aov) != 2 {
		t.Errorf("the order value is not explained the same way twice (%d times): %s", strings.Count(html, aov), aov)
	}
	if strings.Contains(html, "carts at risk in this range") {
		t.Error("the footnote still calls the order value the average cart at risk")
	}
	// Value at risk says what it holds.
	if !strings.Contains(html, `id="value_at_risk" data-money="1234.00" data-currency="USD">$1,234.00</span><span class="metric-note muted" id="at-risk-note">in 18 carts abandoned in the last 7 days</span>`) {
		t.Error("value at risk does not say what it counts")
	}
}

// TestRenderTooFewShoppers is "Today" with 13 shoppers: no verdict, no fix.
func TestRenderTooFewShoppers(t *testing.T) {
	var tl funnel.Tally
	tl.Furthest = [funnel.StageCompleted + 1]int64{0, 11, 0, 0, 1, 0, 1}
	tl.OrderValue, tl.Currency = 50_00, "USD"
	html := renderHome(t, viewOf(tl, nil))
	if n := strings.Count(html, `data-band="not_enough_shoppers"`); n != 5 {
		t.Errorf("%d chips read not enough shoppers, want all 5", n)
	}
	if strings.Count(html, ">Not enough shoppers yet</s-badge>") != 5 {
		t.Error("the chips do not say so in words")
	}
	for _, bad := range []string{`data-band="below_typical"`, `data-band="typical"`, `data-band="good"`, `class="fix"`} {
		if strings.Contains(html, bad) {
			t.Errorf("13 shoppers get a verdict: %s", bad)
		}
	}
	if !strings.Contains(html, "Too few shoppers went through this range's steps for a verdict yet") {
		t.Error("the page does not say why nothing is ranked")
	}
}

// TestRenderFixFirstProperty renders random funnels: no step is both
// listed under "what to fix first" and not below typical, every step below
// typical is listed, and each chip is the step's verdict.
func TestRenderFixFirstProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	bench := funnel.Benchmarks()
	chip := regexp.MustCompile(`data-stage="(\w+)"[^>]*>\s*<div class="step"[\s\S]*?data-band="(\w+)"`)
	for i := range 300 {
		var tl funnel.Tally
		entering := rng.Int64N(2000)
		reached := []int64{entering}
		for s := range bench {
			next := int64(float64(entering) * (bench[s].Typical + (rng.Float64()-0.6)/5))
			next = min(max(next, 0), entering)
			reached = append(reached, next)
			entering = next
		}
		for s := range reached {
			next := int64(0)
			if s+1 < len(reached) {
				next = reached[s+1]
			}
			tl.Furthest[s+1] = reached[s] - next
		}
		tl.OrderValue, tl.UnorderedValue, tl.Currency = rng.Int64N(1e7), rng.Int64N(1e7), "USD"
		v := viewOf(tl, nil)
		below := map[string]bool{}
		for s, st := range funnel.Stages()[1:] {
			verdict := funnel.Judge(bench[s], reached[s], reached[s+1])
			below[funnel.Stages()[s].Label()+" → "+st.Label()] = verdict == funnel.VerdictBelow
			if got := v.Stages[s+1].Band; got != string(verdict) {
				t.Fatalf("case %d %v: %s chip %s, Judge %s", i, reached, st.Key(), got, verdict)
			}
		}
		listed := 0
		for _, l := range v.Leaks {
			if !below[l.Label] || l.Band != string(funnel.VerdictBelow) {
				t.Fatalf("case %d %v: %s listed but not below typical", i, reached, l.Label)
			}
			listed++
		}
		n := 0
		for _, b := range below {
			if b {
				n++
			}
		}
		if listed != n {
			t.Fatalf("case %d %v: %d steps listed, %d below typical", i, reached, listed, n)
		}
		if i%10 == 0 { // and the HTML says the same
			html := renderHome(t, v)
			belowChips := 0
			for _, m := range chip.FindAllStringSubmatch(html, -1) {
				if m[2] == string(funnel.VerdictBelow) {
					belowChips++
				}
			}
			if fixes := strings.Count(html, `<li class="fix"`); fixes != belowChips || fixes != n {
				t.Fatalf("case %d %v: %d fixes, %d chips below typical, %d below", i, reached, fixes, belowChips, n)
			}
		}
	}
}

// TestRenderSegmentRatesRoundOnce checks the segment table's rates come
// from the counts, as the funnel's do.
func TestRenderSegmentRatesRoundOnce(t *testing.T) {
	var seg funnel.Tally
	// 1310 reach the checkout, 298 of them the contact step: by source,
	// the first rate the page shows (the checkout's is not known).
	seg.Furthest = [funnel.StageCompleted + 1]int64{0, 0, 1012, 0, 0, 0, 298}
	html := renderHome(t, viewOf(seg, map[string]*funnel.Tally{"web": &seg}))
	_, row, _ := strings.Cut(html, `data-segment-value="web"`)
	row, _, _ = strings.Cut(row, "</tr>")
	if !strings.Contains(row, `<s-table-cell class="num" data-label="→ Contact">22.7%</s-table-cell>`) {
		t.Errorf("segment row does not show 298 of 1310 as 22.7%%: %s", row)
	}
	if !strings.Contains(row, `data-label="Cart to order" data-field="not-known">not known before started checkout</s-table-cell>`) ||
		!strings.Contains(row, `data-label="→ Checkout" data-field="not-known">—</s-table-cell>`) || strings.Count(row, `data-field="not-known"`) != 2 {
		t.Errorf("segment row shows a cart-to-checkout rate that the source cannot support: %s", row)
	}
}
