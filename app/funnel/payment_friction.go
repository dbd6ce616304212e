package funnel

import (
	"cmp"
	"slices"
	"time"
)

// PaymentSession is one session of the cart funnel that reached the
// payment step (or completed, and so passed it), with what the webhooks
// and the pixel know of its payment.
type PaymentSession struct {
	// N is how many such sessions it stands for, 0 counting as 1: the
	// sessions no visit joined are read grouped (store.PaymentSessions).
	N         int64
	Completed bool
	// Device and Country are the session's segment values (SegmentValue:
	// "unknown" when not known).
	Device  string
	Country string
	// Gateway is the order's or checkout's gateway (webhooks), else the
	// pixel's transaction's; Method the pixel's payment method. Both ""
	// when not known: webhooks name the gateway of orders only, so an
	// abandoned session seldom has one.
	Gateway string
	Method  string
	// Pixel says a visit of the pixel carried the session's checkout or
	// cart token; Submitted and ErrorSteps are known only then.
	Pixel     bool
	Submitted bool
	// ErrorSteps holds the stage of each payment error alert the shopper
	// saw (Visit.PaymentErrorStage).
	ErrorSteps []StorefrontStage
}

// PaymentSessionOf returns what s's payment is, from the session and the
// visits that carried its cart or checkout token (visits whose tokens do
// not match are ignored, and a visit listed twice counts once): the
// pixel's facts are the union of its visits'.
func PaymentSessionOf(s Session, visits []Visit) PaymentSession {
	p := PaymentSession{
		Completed: s.Completed(),
		Device:    SegmentValue(s, SegmentDevice),
		Country:   SegmentValue(s, SegmentCountry),
		Gateway:   s.Gateway,
	}
	var from EventKey
	seen := map[EventKey]bool{}
	for _, v := range visits {
		// A visit that carried both tokens is listed once per token.
		id := EventKey{At: v.Start.UTC(), ID: v.ClientID + "\x00" + v.FirstID}
		if !carries(v, s) || seen[id] {
			continue
		}
		seen[id] = true
		p.Pixel = true
		p.Submitted = p.Submitted || !v.Stages[StorefrontPaymentSubmitted].IsZero() || !v.Stages[StorefrontCompleted].IsZero()
		for _, k := range v.PaymentErrors {
			p.ErrorSteps = append(p.ErrorSteps, v.PaymentErrorStage(k))
		}
		if !v.PaymentFrom.IsZero() && (from.IsZero() || v.PaymentFrom.Before(from)) {
			from = v.PaymentFrom
			p.Method = v.PaymentMethod
			if s.Gateway == "" {
				p.Gateway = v.Gateway
			}
		}
	}
	slices.Sort(p.ErrorSteps)
	return p
}

// count is how many sessions p stands for.
func (p PaymentSession) count() int64 { return max(p.N, 1) }

// carries reports whether v carried one of s's tokens.
func carries(v Visit, s Session) bool {
	return (s.CheckoutToken != "" && slices.Contains(v.CheckoutTokens, s.CheckoutToken)) ||
		(s.CartToken != "" && slices.Contains(v.CartTokens, s.CartToken))
}

// The dimensions of the payment friction table.
const (
	PaymentByDevice  = "device"
	PaymentByCountry = "country"
	PaymentByGateway = "gateway"
	PaymentByMethod  = "payment_method"
)

// PaymentFriction is the report's payment section: the sessions that
// reached payment, submitted it (pixel) and completed, the payment errors
// shoppers saw per step (pixel), and the same split by device, country,
// gateway and payment method.
type PaymentFriction struct {
	// Reached is the sessions that reached payment or completed;
	// Completed those that completed. Step is the payment step judged and
	// priced as "what to fix first" prices a leak.
	Reached   int64 `json:"reached"`
	Completed int64 `json:"completed"`
	Step      Leak  `json:"step"`
	// PixelSessions is how many of them a visit of the pixel joined; the
	// figures marked pixel count only those, and are absent (nil) when
	// none: Submitted, the sessions that submitted payment, and
	// ErrorSessions, those that saw at least one payment error.
	PixelSessions int64  `json:"pixel_sessions"`
	Submitted     *int64 `json:"submitted"`
	ErrorSessions *int64 `json:"error_sessions"`
	// Errors counts the payment error alerts per step they were seen at,
	// in funnel order; empty when none was seen.
	Errors []PaymentErrorStep `json:"errors"`
	// Dimensions are the splits, in the order device, country, gateway,
	// payment method (the last only with the pixel).
	Dimensions []PaymentDimension `json:"dimensions"`
}

// PaymentErrorStep is the payment error alerts seen at one storefront
// stage, and by how many sessions.
type PaymentErrorStep struct {
	Step     string `json:"step"`
	Label    string `json:"label"`
	Alerts   int64  `json:"alerts"`
	Sessions int64  `json:"sessions"`
}

// PaymentDimension is the payment step split by one dimension. Rated says
// whether its rows carry a completion rate and money lost: device and
// country do; gateway and payment method do not, since they are known
// mostly for completed sessions (Note says so), and a rate among the
// sessions whose gateway is known would read near 100% whatever happens.
type PaymentDimension struct {
	Key   string       `json:"key"`
	Label string       `json:"label"`
	Rated bool         `json:"rated"`
	Pixel bool         `json:"pixel"`
	Note  string       `json:"note,omitempty"`
	Rows  []PaymentRow `json:"rows"`
}

// PaymentRow is one value of a dimension: its sessions at payment, those
// that completed, and, among those the pixel saw, those that submitted
// payment and the payment errors shown. For a rated dimension Step is the
// value's payment step judged and priced as a leak (its rate, interval,
// verdict and money lost); rows are ranked by money lost, then sessions.
type PaymentRow struct {
	Value         string `json:"value"`
	Reached       int64  `json:"reached"`
	Completed     int64  `json:"completed"`
	PixelSessions int64  `json:"pixel_sessions"`
	Submitted     int64  `json:"submitted"`
	Errors        int64  `json:"errors"`
	Step          *Leak  `json:"step,omitempty"`
}

// paymentBenchmark is the benchmark of the payment step, payment reached
// to completed.
func paymentBenchmark() Benchmark {
	for _, b := range Benchmarks() {
		if b.To == StageCompleted {
			return b
		}
	}
	panic("funnel: no benchmark of the payment step")
}

// pricePayment judges and prices a payment step of reached sessions of
// which completed completed, with priceStep, the one rule of "what to fix
// first".
func pricePayment(reached, completed, aov int64, elapsed time.Duration) Leak {
	return priceStep(step{
		from: StagePaymentReached.Key(), to: StageCompleted.Key(),
		label:    StagePaymentReached.Label() + " → " + StageCompleted.Label(),
		entering: reached, reached: completed, completed: completed, laterTypical: 1,
	}, paymentBenchmark(), aov, elapsed)
}

// BuildPaymentFriction builds the payment section of sessions, priced at
// aov (minor units, the report's average order value) over elapsed (the
// range's elapsed time, for the monthly figures, as RankLeaks).
func BuildPaymentFriction(sessions []PaymentSession, aov int64, elapsed time.Duration) PaymentFriction {
	out := PaymentFriction{Errors: []PaymentErrorStep{}}
	var submitted, errorSessions int64
	alerts := map[StorefrontStage]*PaymentErrorStep{}
	for _, s := range sessions {
		n := s.count()
		out.Reached += n
		if s.Completed {
			out.Completed += n
		}
		if !s.Pixel {
			continue
		}
		out.PixelSessions += n
		if s.Submitted {
			submitted += n
		}
		if len(s.ErrorSteps) > 0 {
			errorSessions += n
		}
		for i, st := range s.ErrorSteps {
			e := alerts[st]
			if e == nil {
				e = &PaymentErrorStep{Step: st.Key(), Label: st.Label()}
				alerts[st] = e
			}
			e.Alerts += n
			if i == 0 || s.ErrorSteps[i-1] != st {
				e.Sessions += n
			}
		}
	}
	out.Step = pricePayment(out.Reached, out.Completed, aov, elapsed)
	if out.PixelSessions > 0 {
		out.Submitted, out.ErrorSessions = &submitted, &errorSessions
	}
	for _, st := range StorefrontStages() {
		if e := alerts[st]; e != nil {
			out.Errors = append(out.Errors, *e)
		}
	}
	gatewayNote := "Shopify names the gateway of orders, and seldom of a checkout that was left: most sessions that did not complete have no known gateway, so no completion rate is given by gateway."
	methodNote := "The payment method comes from the pixel's completed checkouts only, so no completion rate is given by method."
	dims := []PaymentDimension{
		{Key: PaymentByDevice, Label: "Device", Rated: true},
		{Key: PaymentByCountry, Label: "Country", Rated: true},
		{Key: PaymentByGateway, Label: "Gateway", Note: gatewayNote},
	}
	if out.PixelSessions > 0 {
		dims = append(dims, PaymentDimension{Key: PaymentByMethod, Label: "Payment method", Pixel: true, Note: methodNote})
	}
	for _, d := range dims {
		d.Rows = paymentRows(sessions, d, aov, elapsed)
		out.Dimensions = append(out.Dimensions, d)
	}
	return out
}

// paymentValue is s's value of dimension key, "unknown" when not known.
func paymentValue(s PaymentSession, key string) string {
	switch key {
	case PaymentByDevice:
		return s.Device
	case PaymentByCountry:
		return s.Country
	case PaymentByGateway:
		return orUnknown(s.Gateway)
	case PaymentByMethod:
		return orUnknown(s.Method)
	}
	return "unknown"
}

// paymentRows splits sessions by d, every session in exactly one row, so
// that the rows add up to the whole.
func paymentRows(sessions []PaymentSession, d PaymentDimension, aov int64, elapsed time.Duration) []PaymentRow {
	byValue := map[string]*PaymentRow{}
	for _, s := range sessions {
		v := orUnknown(paymentValue(s, d.Key))
		r := byValue[v]
		if r == nil {
			r = &PaymentRow{Value: v}
			byValue[v] = r
		}
		n := s.count()
		r.Reached += n
		if s.Completed {
			r.Completed += n
		}
		if s.Pixel {
			r.PixelSessions += n
			if s.Submitted {
				r.Submitted += n
			}
			r.Errors += n * int64(len(s.ErrorSteps))
		}
	}
	rows := make([]PaymentRow, 0, len(byValue))
	for _, r := range byValue {
		if d.Rated {
			l := pricePayment(r.Reached, r.Completed, aov, elapsed)
			r.Step = &l
		}
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b PaymentRow) int {
		if c := cmp.Compare(opportunity(b), opportunity(a)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Reached, a.Reached); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return rows
}

// opportunity is a row's money lost, 0 when it has none.
func opportunity(r PaymentRow) int64 {
	if r.Step == nil {
		return 0
	}
	return r.Step.Opportunity
}
