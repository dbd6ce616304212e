package journeys

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Effect is a store change's effect on one step of the funnel: from At
// on, the shoppers of Device ("" for every device) go on to Step (the
// stage the step leads to: funnel.StagePaymentReached is address →
// payment) at Rate when Rate is set, else at the rate before times
// Factor. A zero At is in force from the start of the history (how the
// step was before a later effect mends it).
type Effect struct {
	At     time.Time
	Step   funnel.Stage
	Device funnel.Device
	Factor float64
	Rate   float64
}

// WeightedDevice is a kind of device the shoppers of a Mix shop on, its
// weight, and Factor, which scales their intent rates (the first and last,
// as a source's Factor does; 0 counts as 1).
type WeightedDevice struct {
	Device funnel.Device
	Weight int
	Factor float64
}

// stepIndex is the index in Mix.Rates of the step that leads to st, or -1
// for a stage no rate leads to.
func stepIndex(st funnel.Stage) int {
	i := int(st - funnel.StageCheckoutStarted)
	if i < 0 || i >= len(Mix{}.Rates) {
		return -1
	}
	return i
}

// RatesAt returns the stage rates of a shopper on device who adds to cart
// at t: m.Rates with every effect of m.Effects in force by t (At not after
// it) for that device applied in the order of their times. The device's
// and the source's factors are applied after, by Reach.
func (m Mix) RatesAt(t time.Time, device funnel.Device) [5]float64 {
	rates := m.Rates
	effects := slices.Clone(m.Effects)
	slices.SortStableFunc(effects, func(a, b Effect) int { return a.At.Compare(b.At) })
	for _, e := range effects {
		i := stepIndex(e.Step)
		if i < 0 || e.At.After(t) || (e.Device != "" && e.Device != device) {
			continue
		}
		if e.Rate > 0 {
			rates[i] = e.Rate
		} else {
			rates[i] *= orOne(e.Factor)
		}
	}
	return rates
}

// deviceOf draws a shopper's device from m.Devices with rng, and its
// factor: "" (not known) and 1 when the Mix has none.
func (m Mix) deviceOf(rng *rand.Rand) (funnel.Device, float64) {
	if len(m.Devices) == 0 {
		return "", 1
	}
	total := 0
	for _, d := range m.Devices {
		total += d.Weight
	}
	n := rng.IntN(max(total, 1))
	for _, d := range m.Devices {
		if n -= d.Weight; n < 0 {
			return d.Device, orOne(d.Factor)
		}
	}
	last := m.Devices[len(m.Devices)-1]
	return last.Device, orOne(last.Factor)
}
