package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Visits returns the shop's visits that started in [start, end), bot
// visits included (Visit.Bot), in order of start, each completed by the
// orders of its checkouts (funnel.Visit.CompleteByOrder): a funnel session
// whose checkout token the visit carried and that is completed completes
// the visit, whichever of the two arrived first.
func (s *Store) Visits(ctx context.Context, shopID int64, start, end time.Time) ([]funnel.Visit, error) {
	var rows []visitRow
	err := s.db(ctx).Where("shop_id = ? AND started_at >= ? AND started_at < ?", shopID, utc(start), utc(end)).
		Order("started_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: loading the visits of shop %d: %w", shopID, err)
	}
	orders, err := s.visitOrders(ctx, shopID, start, end)
	if err != nil {
		return nil, err
	}
	out := make([]funnel.Visit, len(rows))
	for i, r := range rows {
		v, err := r.visit()
		if err != nil {
			return nil, fmt.Errorf("store: visits of shop %d: %w", shopID, err)
		}
		for _, o := range orders[r.ID] {
			v, _ = v.CompleteByOrder(o.Token, o.CompletedAt)
		}
		out[i] = v
	}
	return out, nil
}

// visitOrder is a completed funnel session a visit's checkout token names.
type visitOrder struct {
	VisitID     int64
	Token       string
	CompletedAt time.Time
}

// visitOrders returns, by visit id, the completed funnel sessions whose
// checkout token a visit that started in [start, end) carried.
func (s *Store) visitOrders(ctx context.Context, shopID int64, start, end time.Time) (map[int64][]visitOrder, error) {
	var rows []visitOrder
	err := s.db(ctx).Raw(`SELECT vt.visit_id, vt.token, s.completed_at FROM visit_tokens vt
		JOIN sessions s ON s.shop_id = vt.shop_id AND s.checkout_token = vt.token
		WHERE vt.shop_id = ? AND vt.kind = 'checkout' AND vt.started_at >= ? AND vt.started_at < ?
			AND s.completed_at IS NOT NULL`, shopID, utc(start), utc(end)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: loading the orders of the visits of shop %d: %w", shopID, err)
	}
	out := map[int64][]visitOrder{}
	for _, r := range rows {
		out[r.VisitID] = append(out[r.VisitID], r)
	}
	return out, nil
}

// StorefrontTallies is what the storefront report reads for a range: the
// tally of the (non-bot) visits by segment value (AllSegment alone when
// there is no segment), by device (every device, for the device
// comparison; "unknown" for visits with no user agent), and the products
// (funnel.ProductTallies), most viewed first. Bot visits count only in the tallies' Bots.
type StorefrontTallies struct {
	Segments map[string]*funnel.StorefrontTally
	Devices  map[funnel.Device]*funnel.StorefrontTally
	Products []funnel.ProductTally
}

// StorefrontTallies tallies the shop's visits that started in the days of
// days (shop-local days in days' zone), split by segment: "" for none,
// funnel.SegmentDevice or funnel.SegmentLandingPageType. It folds the
// visits with funnel.StorefrontTally.Add, the domain's one rule, after
// completing them by their orders (Visits).
func (s *Store) StorefrontTallies(ctx context.Context, shopID int64, days funnel.DayRange, segment string) (StorefrontTallies, error) {
	if segment != "" && segment != funnel.SegmentDevice && segment != funnel.SegmentLandingPageType {
		return StorefrontTallies{}, fmt.Errorf("store: the storefront report has no segment %q", segment)
	}
	visits, err := s.Visits(ctx, shopID, days.Start(), days.End())
	if err != nil {
		return StorefrontTallies{}, err
	}
	out := StorefrontTallies{Segments: map[string]*funnel.StorefrontTally{}, Devices: map[funnel.Device]*funnel.StorefrontTally{}}
	products := funnel.ProductTallies{}
	for _, v := range visits {
		key := AllSegment
		if segment != "" {
			key = funnel.VisitSegmentValue(v, segment)
		}
		addTally(out.Segments, key, v)
		addTally(out.Devices, funnel.Device(funnel.VisitSegmentValue(v, funnel.SegmentDevice)), v)
		products.Add(v)
	}
	out.Products = products.Rows()
	slices.SortStableFunc(out.Products, func(a, b funnel.ProductTally) int { return cmp.Compare(b.Views, a.Views) })
	return out, nil
}

func addTally[K comparable](m map[K]*funnel.StorefrontTally, k K, v funnel.Visit) {
	t := m[k]
	if t == nil {
		t = &funnel.StorefrontTally{}
		m[k] = t
	}
	t.Add(v)
}

// FirstVisitAt is when the shop's first (non-bot) visit kept began, nil
// while it has none: the report says its storefront figures start there
// when that is inside the range, rather than let the range's first days
// read as days without visitors.
func (s *Store) FirstVisitAt(ctx context.Context, shopID int64) (*time.Time, error) {
	var rows []struct{ StartedAt time.Time }
	err := s.db(ctx).Raw(`SELECT started_at FROM visits WHERE shop_id = ? AND NOT bot ORDER BY started_at LIMIT 1`, shopID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: loading the first visit of shop %d: %w", shopID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return utcPtr(&rows[0].StartedAt), nil
}
