package journeys

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Mix describes a crowd of shoppers: where they come from, how far they
// get, what they buy and how long each step takes. A Crowd draws them.
type Mix struct {
	// Seed makes the crowd reproducible: the same Mix draws the same
	// shoppers in the same order.
	Seed uint64
	// Prefix and Digits name shopper N: the cart Prefix+"cart-"+N, the
	// checkout Prefix+"chk-"+N, the e-mail shopper<N>@example.com, with N
	// zero-padded to Digits.
	Prefix string
	Digits int

	// Carts are created within Span before End. Recent of every ten are
	// drawn so that recent days are busier (a growing store), the others
	// evenly.
	End    time.Time
	Span   time.Duration
	Recent int

	// Sources and Countries are drawn by weight.
	Sources   []Source
	Countries []WeightedCountry
	// Returning is the percentage of shoppers who have ordered before,
	// 1 to PriorOrders times; they sign in at the contact step, and
	// ReturningFactor scales their intent rates as a source's Factor does
	// (0 counts as 1).
	Returning       int
	PriorOrders     int
	ReturningFactor float64

	// Catalog is what the store sells. A cart holds one item drawn from
	// it, and a k-th more (k = 1, 2, …) with chance (Lines−k)/Lines; each
	// line has 1 to Qty of its item.
	Catalog []Item
	Lines   int
	Qty     int

	// Rates are the shares of shoppers who go on from each stage to the
	// next: cart to checkout, to contact, to address, to payment, to order.
	// The source's and a returning shopper's factors scale the first and
	// the last (intent; the steps between are forms); no rate exceeds 97%.
	Rates [5]float64
	// Devices are the devices shoppers shop on, drawn by weight from a
	// stream of their own (so that a Mix without them draws the same
	// shoppers as before): each shopper's Device, whose storefront visit
	// is on the same kind of device. None leaves Device empty, and the
	// visits draw their devices as Storefront.Devices says.
	Devices []WeightedDevice
	// Effects are the store changes' effects on the rates (RatesAt): a
	// shopper's rates are those in force when their cart is created, on
	// their device.
	Effects []Effect
	// Express is the percentage of orders placed with an express checkout.
	Express int
	// Recover is the percentage of checkouts abandoned after the contact
	// step, and started more than RecoverAge before End, that a late
	// order wins back RecoverAfter after their last step.
	Recover      int
	RecoverAge   time.Duration
	RecoverAfter Delay

	// Updates is the percentage of carts updated, 1 to MostUpdates times,
	// each UpdateAfter the cart's previous event. With UpdateAdds each
	// update adds one more of the cart's last item; otherwise the cart
	// stays as it was.
	Updates     int
	MostUpdates int
	UpdateAfter Delay
	UpdateAdds  bool
	// CheckoutAfter is how long after creating the cart a shopper starts
	// checkout; each of StepAfter (contact, address, payment) follows the
	// step before, and OrderAfter the payment step.
	CheckoutAfter Delay
	StepAfter     [3]Delay
	OrderAfter    Delay
}

// Source is a traffic source: its name (Shopify's source_name), its
// weight in the mix, the referring site it sends, and Factor, which scales
// its shoppers' intent rates (0 counts as 1).
type Source struct {
	Name     string
	Weight   int
	Factor   float64
	Referrer string
}

// WeightedCountry is a country and its weight in the mix.
type WeightedCountry struct {
	Country
	Weight int
}

// Delay is a time drawn evenly from From to To in whole Steps; a zero
// Step is always From.
type Delay struct {
	From, To, Step time.Duration
}

func (d Delay) draw(rng *rand.Rand) time.Duration {
	if d.Step <= 0 || d.To <= d.From {
		return d.From
	}
	return d.From + time.Duration(rng.IntN(int((d.To-d.From)/d.Step)+1))*d.Step
}

// Crowd draws the shoppers of a Mix one at a time.
type Crowd struct {
	mix Mix
	// who draws each shopper's plan (when they came, from where, what they
	// bought, how far they got); when draws the times of their steps. Two
	// streams keep the one from shifting the other.
	who, when *rand.Rand
	// device draws each shopper's device, when the Mix has Devices.
	device *rand.Rand
	n      int
}

// Crowd starts drawing m's shoppers.
func (m Mix) Crowd() *Crowd {
	return &Crowd{mix: m, who: rand.New(rand.NewPCG(m.Seed, 0x5eed)), when: rand.New(rand.NewPCG(m.Seed, 0x7143)),
		device: rand.New(rand.NewPCG(m.Seed, 0xde71ce))}
}

// Next draws the next shopper, numbered from 1.
func (c *Crowd) Next() Shopper {
	m, rng := &c.mix, c.who
	c.n++
	n := c.n
	num := strconv.Itoa(n)
	if len(num) < m.Digits {
		num = strings.Repeat("0", m.Digits-len(num)) + num
	}
	s := Shopper{N: n, Cart: m.Prefix + "cart-" + num, Checkout: m.Prefix + "chk-" + num, Email: "shopper" + num + "@example.com"}

	frac := rng.Float64()
	if rng.IntN(10) < m.Recent {
		frac = 1 - math.Sqrt(frac)
	}
	age := time.Duration(frac * float64(m.Span))
	start := m.End.Add(-age)
	src := weighted(rng, m.Sources, func(s Source) int { return s.Weight })
	s.Source, s.Referrer = src.Name, src.Referrer
	s.SignedIn = rng.IntN(100) < m.Returning
	s.Country = weighted(rng, m.Countries, func(c WeightedCountry) int { return c.Weight }).Country
	for k := 0; rng.IntN(max(m.Lines, 1)) >= k; k++ {
		it := m.Catalog[rng.IntN(len(m.Catalog))]
		it.Qty = int64(1 + rng.IntN(max(m.Qty, 1)))
		s.Items = append(s.Items, it)
	}
	device, factor := m.deviceOf(c.device)
	s.Device = device
	factor *= orOne(src.Factor)
	if s.SignedIn {
		factor *= orOne(m.ReturningFactor)
	}
	s.Stop = reach(rng, m.RatesAt(start, device), factor)
	if s.Stop == funnel.StageCompleted {
		s.Express = rng.IntN(100) < m.Express
	}
	recover := s.Stop >= funnel.StageContactSubmitted && s.Stop < funnel.StageCompleted && age > m.RecoverAge && rng.IntN(100) < m.Recover

	rng = c.when
	s.At[funnel.StageAddedToCart] = start
	if rng.IntN(100) < m.Updates {
		k := 1
		if m.MostUpdates > 1 {
			k += rng.IntN(m.MostUpdates)
		}
		at, items := start, s.Items
		for range k {
			at = at.Add(m.UpdateAfter.draw(rng))
			u := CartUpdate{At: at}
			if m.UpdateAdds {
				items = append([]Item(nil), items...)
				items[len(items)-1].Qty++
				u.Items = items
			}
			s.Updates = append(s.Updates, u)
		}
	}
	if s.SignedIn {
		s.PriorOrders = 1 + rng.IntN(max(m.PriorOrders, 1))
	}
	at := start.Add(m.CheckoutAfter.draw(rng))
	if s.Stop < funnel.StageCheckoutStarted {
		return s
	}
	if s.Express {
		s.At[funnel.StageCompleted] = at
		return s
	}
	s.At[funnel.StageCheckoutStarted] = at
	for st := funnel.StageContactSubmitted; st <= min(s.Stop, funnel.StagePaymentReached); st++ {
		at = at.Add(m.StepAfter[st-funnel.StageContactSubmitted].draw(rng))
		s.At[st] = at
	}
	if s.Stop == funnel.StageCompleted {
		s.At[funnel.StageCompleted] = at.Add(m.OrderAfter.draw(rng))
	}
	if recover {
		s.Recovered = at.Add(m.RecoverAfter.draw(rng))
	}
	return s
}

// Reach draws how far a shopper gets at m's rates, the first and last
// scaled by factor.
func (m Mix) Reach(rng *rand.Rand, factor float64) funnel.Stage {
	return reach(rng, m.Rates, factor)
}

// reach draws how far a shopper gets at rates, the first and last scaled
// by factor.
func reach(rng *rand.Rand, rates [5]float64, factor float64) funnel.Stage {
	stop := funnel.StageAddedToCart
	for i, p := range rates {
		if i == 0 || i == len(rates)-1 {
			p *= factor
		}
		if rng.Float64() >= min(p, 0.97) {
			break
		}
		stop++
	}
	return stop
}

func orOne(f float64) float64 {
	if f == 0 {
		return 1
	}
	return f
}

// weighted picks one of items by weight.
func weighted[T any](rng *rand.Rand, items []T, weight func(T) int) T {
	total := 0
	for _, it := range items {
		total += weight(it)
	}
	n := rng.IntN(total)
	for _, it := range items {
		if n -= weight(it); n < 0 {
			return it
		}
	}
	return items[len(items)-1]
}
