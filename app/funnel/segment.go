package funnel

import "math"

// The segments the report can be split by.
const (
	SegmentSource         = "source"
	SegmentCountry        = "country"
	SegmentValueBand      = "value_band"
	SegmentNewVsReturning = "new_vs_returning"
	// SegmentDevice and SegmentLandingPageType split by the device and
	// the landing page type of the visit joined to the session (or of
	// the visit itself, in the storefront report): "unknown" for a
	// session no visit was joined to.
	SegmentDevice          = "device"
	SegmentLandingPageType = "landing_page_type"
)

// Segments returns the segment names ValidSegment accepts, in the order the
// page offers them. The slice is new on every call.
func Segments() []string {
	return []string{SegmentSource, SegmentCountry, SegmentValueBand, SegmentNewVsReturning, SegmentDevice, SegmentLandingPageType}
}

// ValidSegment reports whether segment is one the report can be split by.
func ValidSegment(segment string) bool {
	switch segment {
	case SegmentSource, SegmentCountry, SegmentValueBand, SegmentNewVsReturning, SegmentDevice, SegmentLandingPageType:
		return true
	}
	return false
}

// ValueBand is one band of cart value: sessions with Value at least Min
// (minor units) and below the next band's Min.
type ValueBand struct {
	Label string
	Min   int64
}

// ValueBands returns the cart-value bands in ascending order, for the store
// to build the same banding in SQL. The first band has no lower bound. The
// slice is new on every call.
func ValueBands() []ValueBand {
	return []ValueBand{
		{"<25", math.MinInt64},
		{"25–50", 25_00},
		{"50–100", 50_00},
		{"100–250", 100_00},
		{"250+", 250_00},
	}
}

// KnownFrom returns the first stage at which the attribute behind segment
// is known for the sessions that reached it, from cart, checkout and order
// webhooks: the cart value from the cart; the source from the checkout;
// the country from the address step; whether the customer ordered before
// only from the order, since a first-time buyer checks out as a guest and
// has no customer record (and so no orders_count) until the order makes
// one. Before that stage a session's segment is "unknown" whatever it
// later turns out to be, so a segment's counts there still add up to the
// whole but its rates into and before that stage would be made up (every
// "US" session reached the address step, every "new" one the order, by
// construction). The device and landing page type come from the visit
// joined to the session, which the cart token the theme embed publishes
// at every add to cart (funnelscope:cart) joins from the first stage;
// sessions no visit joined are "unknown" at every stage, so the known
// segments' rates compare joined sessions only (a session joined only by
// its checkout token, when the embed is off, is placed from its checkout
// on). StageNone for an unknown segment.
func KnownFrom(segment string) Stage {
	switch segment {
	case SegmentValueBand, SegmentDevice, SegmentLandingPageType:
		return StageAddedToCart
	case SegmentSource:
		return StageCheckoutStarted
	case SegmentCountry:
		return StageAddressSubmitted
	case SegmentNewVsReturning:
		return StageCompleted
	}
	return StageNone
}

// SegmentValue returns the value of segment for s: the source or country
// ("unknown" when Shopify sent none), the cart-value band, or "new" or
// "returning". It returns "" for a segment ValidSegment rejects.
func SegmentValue(s Session, segment string) string {
	switch segment {
	case SegmentSource:
		return orUnknown(s.SourceName)
	case SegmentCountry:
		return orUnknown(s.Country)
	case SegmentValueBand:
		bands := ValueBands()
		label := bands[0].Label
		for _, b := range bands {
			if s.Value >= b.Min {
				label = b.Label
			}
		}
		return label
	case SegmentDevice:
		return orUnknown(string(s.Device))
	case SegmentLandingPageType:
		return orUnknown(string(s.LandingPageType))
	case SegmentNewVsReturning:
		if !s.ReturningKnown {
			return "unknown"
		}
		if s.Returning {
			return "returning"
		}
		return "new"
	}
	return ""
}

// VisitSegmentValue returns the value of segment for a visit, for the
// storefront report: its device or landing page type ("unknown" when its
// events had none). It returns "" for any other segment.
func VisitSegmentValue(v Visit, segment string) string {
	switch segment {
	case SegmentDevice:
		return orUnknown(string(v.Device))
	case SegmentLandingPageType:
		return orUnknown(string(v.Landing))
	}
	return ""
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

// SegmentReport is BuildReport for the sessions of one value of segment,
// without the rates KnownFrom says the segment cannot support: every rate
// into a stage up to the one the attribute is known from is null, and so
// is every rate from the start when that is after the cart (its base would
// count only the sessions that got far enough to be placed). Counts and
// drop-offs stay, so that the segments still add up to the whole.
func SegmentReport(t Tally, segment string) Report {
	r := BuildReport(t)
	known := KnownFrom(segment)
	if known <= StageAddedToCart {
		return r
	}
	r.KnownFrom = known.Key()
	for i := range r.Stages {
		st, _ := ParseStage(r.Stages[i].Key)
		if st <= known {
			r.Stages[i].RateFromPrevious = nil
		}
		r.Stages[i].RateFromStart = nil
	}
	return r
}
