package app

import (
	"context"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// previousBlock is the report's "previous" block: the previous period of
// the same length (funnel.DayRange.Previous) and each figure of the
// report compared with it (funnel.CompareCartPeriods).
type previousBlock struct {
	From string `json:"from"`
	To   string `json:"to"`
	Days int    `json:"days"`
	// DataSince, when the shop's data begins after the previous period's
	// first day, is the shop-local day it begins: every figure is then
	// no_previous_data.
	DataSince string `json:"data_since,omitempty"`
	funnel.PeriodComparison
	// Storefront compares the storefront block, null when the report has
	// none.
	Storefront *storefrontPrevious `json:"storefront"`
}

// storefrontPrevious compares the storefront block with the previous
// period; DataSince is the day of the shop's first visit when it falls
// after the previous period's first day.
type storefrontPrevious struct {
	DataSince string `json:"data_since,omitempty"`
	funnel.PeriodComparison
}

// currentTallies are the tallies funnelReport built the report from,
// which the previous period's are compared with.
type currentTallies struct {
	// cart is the tally of the report's shoppers (all, or the segment
	// value's), bySegment the segment's values' when a segment is asked.
	cart      funnel.Tally
	bySegment map[string]*funnel.Tally
	// storefront is the tally of the storefront block, nil without one.
	storefront *funnel.StorefrontTally
}

// addPrevious adds to resp the comparison of its figures with the
// previous period of the same length: the same store calls as the
// report's own, for the previous days (so the report's cost roughly
// doubles; see BENCHMARKS.md).
func (a *App) addPrevious(ctx context.Context, q reportRequest, resp *funnelResponse, cur currentTallies, idle time.Duration, now time.Time) error {
	prev := q.Days.Previous()
	since, err := a.store.DataSince(ctx, q.Shop)
	if err != nil {
		return fmt.Errorf("app: the previous period of shop %d: %w", q.Shop.ID, err)
	}
	block := &previousBlock{From: prev.Start().Format(dateLayout), To: prev.Last().Format(dateLayout), Days: prev.Len(),
		DataSince: firstVisitDay(&since, prev)}
	span := funnel.PeriodSpan{Days: prev.Len(), Current: q.Days.Elapsed(now), Previous: prev.Elapsed(now), HasPrevious: block.DataSince == ""}
	segment := ""
	if q.SegmentValue != "" {
		segment = q.Segment
	}
	// Without the previous period in the data there is nothing to load:
	// every figure is no_previous_data.
	tallies := map[string]*funnel.Tally{}
	if span.HasPrevious {
		if tallies, err = a.store.FunnelTally(ctx, q.Shop.ID, prev.Start(), prev.End(), now, idle, segment); err != nil {
			return err
		}
	}
	key, known := store.AllSegment, funnel.StageAddedToCart
	if segment != "" {
		key, known = q.SegmentValue, funnel.KnownFrom(segment)
	}
	block.PeriodComparison = funnel.CompareCartPeriods(cur.cart, tallyOrEmpty(tallies[key]), span, known)
	if len(resp.Segments) > 0 {
		if segment == "" && span.HasPrevious {
			if tallies, err = a.store.FunnelTally(ctx, q.Shop.ID, prev.Start(), prev.End(), now, idle, q.Segment); err != nil {
				return err
			}
		}
		for i := range resp.Segments {
			s := &resp.Segments[i]
			c := funnel.CompareCartPeriods(tallyOrEmpty(cur.bySegment[s.Value]), tallyOrEmpty(tallies[s.Value]), span, funnel.KnownFrom(q.Segment))
			s.Previous = &c
		}
	}
	if cur.storefront != nil {
		sf, err := a.previousStorefront(ctx, q, prev, *cur.storefront, span)
		if err != nil {
			return err
		}
		block.Storefront = sf
	}
	resp.Previous = block
	return nil
}

// previousStorefront compares the storefront block's tally cur with the
// same visits of the previous days prev, from the shop's first visit.
func (a *App) previousStorefront(ctx context.Context, q reportRequest, prev funnel.DayRange, cur funnel.StorefrontTally, span funnel.PeriodSpan) (*storefrontPrevious, error) {
	first, err := a.store.FirstVisitAt(ctx, q.Shop.ID)
	if err != nil {
		return nil, err
	}
	out := &storefrontPrevious{DataSince: firstVisitDay(first, prev)}
	span.HasPrevious = first != nil && out.DataSince == ""
	var t funnel.StorefrontTally
	if span.HasPrevious {
		pq := q
		pq.Days = prev
		tallies, err := a.storefrontTallies(ctx, pq)
		if err != nil {
			return nil, err
		}
		t = storefrontBlockTally(q, tallies)
	}
	out.PeriodComparison = funnel.CompareStorefrontPeriods(cur, t, span)
	return out, nil
}
