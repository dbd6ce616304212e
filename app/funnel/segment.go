package funnel

import "math"

// The segments the report can be split by.
const (
	SegmentSource         = "source"
	SegmentCountry        = "country"
	SegmentValueBand      = "value_band"
	SegmentNewVsReturning = "new_vs_returning"
)

// Segments returns the segment names ValidSegment accepts, in the order the
// page offers them. The slice is new on every call.
func Segments() []string {
	return []string{SegmentSource, SegmentCountry, SegmentValueBand, SegmentNewVsReturning}
}

// ValidSegment reports whether segment is one the report can be split by.
func ValidSegment(segment string) bool {
	switch segment {
	case SegmentSource, SegmentCountry, SegmentValueBand, SegmentNewVsReturning:
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

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}
