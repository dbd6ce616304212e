package app

import (
	"context"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// storefrontBlock is the report's "storefront" block: the storefront
// funnel of the visits (funnel.StorefrontReport, DESIGN's shape) and, for
// a report of all shoppers, the device comparison and the product table,
// worst first. A report of one segment value carries neither (both count
// every visit), so Devices and Products are then absent.
type storefrontBlock struct {
	funnel.StorefrontReport
	Devices  []funnel.DeviceStep `json:"devices,omitempty"`
	Products []funnel.ProductRow `json:"products,omitempty"`
	// FirstVisitDay is the store-local day of the shop's first visit when
	// it falls after the range's first day: the storefront's figures
	// begin then (the pixel was turned on within the range), not with the
	// range.
	FirstVisitDay string `json:"first_visit_day,omitempty"`
}

// firstVisitDay is the store-local day of first when it falls after
// days' first day, else "".
func firstVisitDay(first *time.Time, days funnel.DayRange) string {
	if first == nil || !first.After(days.Start()) {
		return ""
	}
	day := first.In(days.Location()).Format(dateLayout)
	if day == days.Start().Format(dateLayout) {
		return ""
	}
	return day
}

// storefrontSegment reports whether the visits can be split by segment:
// by their device and their landing page type only.
func storefrontSegment(segment string) bool {
	return segment == funnel.SegmentDevice || segment == funnel.SegmentLandingPageType
}

// storefrontUnknown says why a segment's entries carry no storefront
// block: what the visits do not know about that attribute.
func storefrontUnknown(segment string) string {
	switch segment {
	case funnel.SegmentSource:
		return "Visits are not split by the order's source: Shopify names the sales channel only at checkout."
	case funnel.SegmentCountry:
		return "Visits are not split by country: it is known only from the checkout's address."
	case funnel.SegmentValueBand:
		return "Visits are not split by cart value: most visits have no cart."
	case funnel.SegmentNewVsReturning:
		return "Visits are not split by new or returning customer: that is known only from the order."
	}
	return fmt.Sprintf("Visits are not split by %s.", segment)
}

// storefrontTallies loads what the storefront blocks of q's report are
// built from: nil while the shop's pixel has never delivered an event;
// else the visits' tallies, split by q's segment when visits can be.
func (a *App) storefrontTallies(ctx context.Context, q reportRequest) (*store.StorefrontTallies, error) {
	seen, err := a.store.PixelLastSeen(ctx, q.Shop.ID)
	if err != nil || seen == nil {
		return nil, err
	}
	segment := ""
	if storefrontSegment(q.Segment) {
		segment = q.Segment
	}
	t, err := a.store.StorefrontTallies(ctx, q.Shop.ID, q.Days, segment)
	if err != nil {
		return nil, fmt.Errorf("app: the storefront report of shop %d: %w", q.Shop.ID, err)
	}
	return &t, nil
}

// addStorefront adds to resp, which funnelReport built for q, the
// storefront blocks of tallies (storefrontTallies): none (null) when
// tallies is nil; else the block of the visits (of q's segment value when
// it is a device or landing page type), and with a segment, each entry's
// own block, or, for a segment visits cannot be split by, a note saying
// so. It also sets which storefront steps "what to fix first" ranks and
// against which device's benchmarks.
func addStorefront(q reportRequest, resp *funnelResponse, tallies *store.StorefrontTallies) {
	if tallies == nil {
		return
	}
	split := storefrontSegment(q.Segment)
	block := &storefrontBlock{StorefrontReport: funnel.BuildStorefrontReport(storefrontBlockTally(q, tallies))}
	switch {
	case q.SegmentValue == "":
		devices := make(map[funnel.Device]funnel.StorefrontTally, len(tallies.Devices))
		for d, t := range tallies.Devices {
			devices[d] = *t
		}
		block.Devices = funnel.DeviceComparison(devices)
		block.Products = funnel.ProductTable(tallies.Products, "", addToOrder(block.StorefrontReport), aovOf(resp.Report))
	case !split:
		resp.StorefrontUnknown = storefrontUnknown(q.Segment) + " The storefront funnel counts every visit."
	}
	resp.Storefront = block
	if q.SegmentValue == "" || split {
		resp.leakStorefront = &block.StorefrontReport
	}
	if q.Segment == funnel.SegmentDevice {
		resp.leakDevice = funnel.Device(q.SegmentValue)
	}
	for i := range resp.Segments {
		s := &resp.Segments[i]
		if !split {
			s.StorefrontUnknown = storefrontUnknown(q.Segment)
			continue
		}
		r := funnel.BuildStorefrontReport(tallyOf(tallies.Segments, s.Value))
		s.Storefront = &r
	}
}

// storefrontBlockTally is the tally of q's storefront block: the segment
// value's visits for a value of a segment visits can be split by, else
// every visit.
func storefrontBlockTally(q reportRequest, tallies *store.StorefrontTallies) funnel.StorefrontTally {
	if q.SegmentValue != "" && storefrontSegment(q.Segment) {
		return tallyOf(tallies.Segments, q.SegmentValue)
	}
	var whole funnel.StorefrontTally
	for _, t := range tallies.Segments {
		whole.Merge(*t)
	}
	return whole
}

// withVisitValues adds to the cart funnel's tallies by segment value an
// empty tally for each value only visits have (a device that never made a
// cart), so that the segments' storefront blocks add up to the whole.
func withVisitValues(bySegment map[string]*funnel.Tally, q reportRequest, tallies *store.StorefrontTallies) {
	if tallies == nil || !storefrontSegment(q.Segment) {
		return
	}
	for v := range tallies.Segments {
		if bySegment[v] == nil {
			bySegment[v] = &funnel.Tally{}
		}
	}
}

// tallyOf is the tally of value, or an empty one.
func tallyOf(m map[string]*funnel.StorefrontTally, value string) funnel.StorefrontTally {
	if t := m[value]; t != nil {
		return *t
	}
	return funnel.StorefrontTally{}
}

// addToOrder is the storefront's own conversion from an add to cart to an
// order (funnel.ProductTable's addToOrder): completed visits over visits
// that added, or -1 while none added.
func addToOrder(s funnel.StorefrontReport) float64 {
	var added, completed int64
	for _, st := range s.Stages {
		switch st.Key {
		case funnel.StorefrontAddedToCart.Key():
			added = st.Sessions
		case funnel.StorefrontCompleted.Key():
			completed = st.Sessions
		}
	}
	if added == 0 {
		return -1
	}
	return float64(completed) / float64(added)
}

// aovOf is the report's average order value in minor units (0 when it
// has none).
func aovOf(r funnel.Report) int64 {
	aov, err := funnel.ParseMoney(r.AverageOrderValue)
	if err != nil {
		return 0
	}
	return aov
}
