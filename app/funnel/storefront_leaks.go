package funnel

import "time"

// StorefrontLeakSteps returns the storefront steps "what to fix first"
// judges: the two before the cart, per visit. The steps from the cart on
// are the cart funnel's (RankLeaks), judged once.
func StorefrontLeakSteps() []StorefrontStage {
	return []StorefrontStage{StorefrontViewedProduct, StorefrontAddedToCart}
}

// RankStorefrontLeaks judges the storefront steps before the cart
// (StorefrontLeakSteps) of s against the benchmarks of device (""
// or DeviceUnknown: all devices) and prices each with the cart funnel's
// rule (priceStep): visits entering × (typical − rate) × the conversion
// from the step to a completed order × aov, in minor units. The
// conversion onward is the storefront's own (completed visits over the
// step's visits) when the step has visits, else the typical rates of the
// later steps, the cart funnel's included. The order is RankLeaks'.
func RankStorefrontLeaks(s StorefrontReport, device Device, aov int64, elapsed time.Duration) []Leak {
	byKey := make(map[string]int64, len(s.Stages))
	for _, st := range s.Stages {
		byKey[st.Key] = st.Sessions
	}
	completed := byKey[StorefrontCompleted.Key()]
	steps := StorefrontLeakSteps()
	leaks := make([]Leak, 0, len(steps))
	for i, to := range steps {
		b, ok := StorefrontBenchmarkFor(to, PerVisit, device)
		if !ok {
			continue
		}
		later := typicalCheckout()
		for _, next := range steps[i+1:] {
			if nb, ok := StorefrontBenchmarkFor(next, PerVisit, device); ok {
				later *= nb.Typical
			}
		}
		from := to - 1
		leaks = append(leaks, priceStep(step{
			from: from.Key(), to: to.Key(), label: from.Label() + " → " + to.Label(),
			entering: byKey[from.Key()], reached: byKey[to.Key()], completed: completed,
			laterTypical: later,
		}, Benchmark{Typical: b.Typical, Good: b.Good, Source: b.Source, Hint: b.Hint}, aov, elapsed))
	}
	sortLeaks(leaks)
	return leaks
}

// RankWholeFunnel ranks the leaks of the whole funnel: the cart funnel's
// steps (RankLeaks) and, when the shop's pixel has delivered events (s not
// nil), the storefront's steps before the cart, priced with the same rule
// at the report's average order value, in one order: below typical first,
// the largest opportunity first. FixFirst of it is "what to fix first"
// across the whole funnel.
func RankWholeFunnel(r Report, s *StorefrontReport, device Device, elapsed time.Duration) []Leak {
	leaks := RankLeaks(r, elapsed)
	if s == nil {
		return leaks
	}
	aov, err := ParseMoney(r.AverageOrderValue)
	if err != nil {
		aov = 0
	}
	// Storefront steps come first in funnel order, so among steps of equal
	// opportunity they stay first.
	all := append(RankStorefrontLeaks(*s, device, aov, elapsed), leaks...)
	sortLeaks(all)
	return all
}
