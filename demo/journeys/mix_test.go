package journeys_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
)

func mix(seed uint64) journeys.Mix {
	minutes := func(from, to int) journeys.Delay {
		return journeys.Delay{From: time.Duration(from) * time.Minute, To: time.Duration(to) * time.Minute, Step: time.Minute}
	}
	return journeys.Mix{
		Seed: seed, Prefix: "m-", Digits: 4, End: t0, Span: 30 * 24 * time.Hour, Recent: 4,
		Sources:   []journeys.Source{{Name: "web", Weight: 3}, {Name: "ads", Weight: 1, Factor: 0.5, Referrer: "https://ads.example/"}},
		Countries: []journeys.WeightedCountry{{Country: journeys.Country{Code: "CA"}, Weight: 1}, {Country: journeys.Country{Code: "FR"}, Weight: 1}},
		Returning: 30, PriorOrders: 4, ReturningFactor: 1.2,
		Catalog: []journeys.Item{{Title: "Mug", Cents: 12_00}, {Title: "Tea", Cents: 5_00}}, Lines: 3, Qty: 2,
		Rates:   [5]float64{0.5, 0.8, 0.8, 0.8, 0.7},
		Express: 20, Recover: 50, RecoverAge: 5 * 24 * time.Hour, RecoverAfter: minutes(24*60, 72*60),
		Updates: 60, MostUpdates: 3, UpdateAfter: minutes(1, 5), UpdateAdds: true,
		CheckoutAfter: minutes(20, 30), StepAfter: [3]journeys.Delay{minutes(1, 3), minutes(1, 3), minutes(1, 3)}, OrderAfter: minutes(1, 5),
	}
}

// TestCrowdIsReproducible: the same mix draws the same shoppers, however
// many are drawn at a time; another seed draws others.
func TestCrowdIsReproducible(t *testing.T) {
	a, b := mix(7).Crowd(), mix(7).Crowd()
	var first []journeys.Shopper
	for range 300 {
		first = append(first, a.Next())
	}
	for i, s := range first {
		if got := b.Next(); !reflect.DeepEqual(got, s) {
			t.Fatalf("shopper %d differs: %+v vs %+v", i, got, s)
		}
	}
	other := mix(8).Crowd()
	same := 0
	for _, s := range first {
		if o := other.Next(); o.At == s.At && o.Stop == s.Stop {
			same++
		}
	}
	if same > 3 {
		t.Errorf("seed 8 draws %d of seed 7's shoppers", same)
	}
}

// TestCrowdKeepsItsMix: every shopper is what the mix allows: named by
// number, within the window, each step after the last and within its
// delay, the cart within the catalog and growing with each update, express
// orders and recoveries only where they can be.
func TestCrowdKeepsItsMix(t *testing.T) {
	m := mix(3)
	crowd := m.Crowd()
	var express, recovered, signedIn, updated int
	stops := map[funnel.Stage]int{}
	const n = 4000
	for i := 1; i <= n; i++ {
		s := crowd.Next()
		if s.N != i || i == 7 && (s.Cart != "m-cart-0007" || s.Checkout != "m-chk-0007" || s.Email != "shopper0007@example.com") {
			t.Fatalf("shopper %d is named %d %s %s %s", i, s.N, s.Cart, s.Checkout, s.Email)
		}
		start := s.At[funnel.StageAddedToCart]
		if start.After(m.End) || start.Before(m.End.Add(-m.Span)) {
			t.Errorf("shopper %d starts at %s, outside the window", i, start)
		}
		if s.Source != "web" && s.Source != "ads" || s.Country.Code != "CA" && s.Country.Code != "FR" {
			t.Errorf("shopper %d: source %q, country %q", i, s.Source, s.Country.Code)
		}
		if (s.Source == "ads") != (s.Referrer == "https://ads.example/") {
			t.Errorf("shopper %d from %s refers from %q", i, s.Source, s.Referrer)
		}
		if len(s.Items) < 1 || len(s.Items) > 3 {
			t.Errorf("shopper %d has %d items", i, len(s.Items))
		}
		for _, it := range s.Items {
			if it.Qty < 1 || it.Qty > 2 || it.Title != "Mug" && it.Title != "Tea" {
				t.Errorf("shopper %d bought %+v", i, it)
			}
		}
		if len(s.Updates) > 3 {
			t.Errorf("shopper %d updates the cart %d times", i, len(s.Updates))
		}
		prev, cents := start, journeys.Cents(s.Items)
		for _, u := range s.Updates {
			if d := u.At.Sub(prev); d < time.Minute || d > 5*time.Minute {
				t.Errorf("shopper %d updates %s after the cart's last event", i, d)
			}
			if c := journeys.Cents(u.Items); c <= cents {
				t.Errorf("shopper %d: an update leaves the cart at %d, it held %d", i, c, cents)
			} else {
				cents = c
			}
			prev = u.At
		}
		if len(s.Updates) > 0 {
			updated++
		}
		if s.SignedIn {
			signedIn++
			if s.PriorOrders < 1 || s.PriorOrders > 4 {
				t.Errorf("shopper %d signs in with %d orders before", i, s.PriorOrders)
			}
		}
		stops[s.Stop]++
		if s.Express {
			express++
			if s.Stop != funnel.StageCompleted || !s.At[funnel.StageCheckoutStarted].IsZero() {
				t.Errorf("shopper %d: an express order at stop %s with a checkout", i, s.Stop)
			}
		} else if s.Stop >= funnel.StageCheckoutStarted {
			if d := s.At[funnel.StageCheckoutStarted].Sub(start); d < 20*time.Minute || d > 30*time.Minute {
				t.Errorf("shopper %d checks out %s after the cart", i, d)
			}
			for st := funnel.StageContactSubmitted; st <= s.Stop; st++ {
				limit := 3 * time.Minute
				if st == funnel.StageCompleted {
					limit = 5 * time.Minute
				}
				if d := s.At[st].Sub(s.At[st-1]); d < time.Minute || d > limit {
					t.Errorf("shopper %d reaches %s %s after %s", i, st, d, st-1)
				}
			}
		}
		for st := s.Stop + 1; st <= funnel.StageCompleted; st++ {
			if !s.At[st].IsZero() {
				t.Errorf("shopper %d, stopped at %s, has a time for %s", i, s.Stop, st)
			}
		}
		if !s.Recovered.IsZero() {
			recovered++
			if s.Stop < funnel.StageContactSubmitted || s.Stop == funnel.StageCompleted || m.End.Sub(start) <= m.RecoverAge {
				t.Errorf("shopper %d, stopped at %s %s before the end, is recovered", i, s.Stop, m.End.Sub(start))
			}
			if d := s.Recovered.Sub(s.At[s.Stop]); d < 24*time.Hour || d > 72*time.Hour {
				t.Errorf("shopper %d is won back %s after the last step", i, d)
			}
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	if s := share(signedIn); math.Abs(s-0.3) > 0.03 {
		t.Errorf("%.2f signed in, want 0.30", s)
	}
	if s := share(updated); math.Abs(s-0.6) > 0.03 {
		t.Errorf("%.2f updated their cart, want 0.60", s)
	}
	if s := float64(express) / float64(stops[funnel.StageCompleted]); math.Abs(s-0.2) > 0.05 {
		t.Errorf("%.2f of orders express, want 0.20", s)
	}
	if recovered == 0 || express == 0 {
		t.Errorf("%d recovered, %d express", recovered, express)
	}
}

// TestReachFollowsTheRates: how far shoppers get follows the rates, the
// first and last scaled by the factor and none above 97%.
func TestReachFollowsTheRates(t *testing.T) {
	m := journeys.Mix{Rates: [5]float64{0.5, 0.8, 0.9, 0.6, 0.7}}
	for _, factor := range []float64{1, 0.5, 3} {
		rng := rand.New(rand.NewPCG(1, 2))
		var reached [funnel.StageCompleted + 2]int
		const n = 100_000
		for range n {
			stop := m.Reach(rng, factor)
			for st := funnel.StageAddedToCart; st <= stop; st++ {
				reached[st]++
			}
		}
		want := [5]float64{min(0.5*factor, 0.97), 0.8, 0.9, 0.6, min(0.7*factor, 0.97)}
		for i, w := range want {
			if got := float64(reached[i+2]) / float64(reached[i+1]); math.Abs(got-w) > 0.02 {
				t.Errorf("factor %g: %.3f go on from stage %d, want %.3f", factor, got, i+1, w)
			}
		}
	}
}

// TestDelayDraws stays within its bounds in whole steps, and a Delay
// without a step is its From.
func TestDelayDraws(t *testing.T) {
	m := mix(1)
	m.Updates, m.MostUpdates, m.UpdateAfter = 100, 1, journeys.Delay{From: 90 * time.Second}
	crowd := m.Crowd()
	for range 100 {
		s := crowd.Next()
		if len(s.Updates) != 1 || s.Updates[0].At.Sub(s.At[funnel.StageAddedToCart]) != 90*time.Second {
			t.Fatalf("a stepless delay drew %v", s.Updates)
		}
		if d := s.At[funnel.StageCheckoutStarted].Sub(s.At[funnel.StageAddedToCart]); s.Stop >= funnel.StageCheckoutStarted && !s.Express && d%time.Minute != 0 {
			t.Fatalf("checkout after %s, not whole minutes", d)
		}
	}
}
