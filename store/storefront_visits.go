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

// ProductTally is one product's line of the storefront report's product
// table over a range: the distinct product views and adds to cart its
// visits counted (funnel.ProductActivity) and the value added, and the
// visits that viewed it and that added it.
type ProductTally struct {
	ProductID  string
	Title      string
	Views      int64
	Adds       int64
	AddValue   int64
	ViewVisits int64
	AddVisits  int64
}

// StorefrontTallies is what the storefront report reads for a range: the
// tally of the (non-bot) visits by segment value (AllSegment alone when
// there is no segment), by device (every device, for the device
// comparison; "unknown" for visits with no user agent), and the products,
// most viewed first. Bot visits count only in the tallies' Bots.
type StorefrontTallies struct {
	Segments map[string]*funnel.StorefrontTally
	Devices  map[funnel.Device]*funnel.StorefrontTally
	Products []ProductTally
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
	products := map[string]*ProductTally{}
	titles := map[string]funnel.EventKey{}
	for _, v := range visits {
		key := AllSegment
		if segment != "" {
			key = funnel.VisitSegmentValue(v, segment)
		}
		addTally(out.Segments, key, v)
		addTally(out.Devices, funnel.Device(funnel.VisitSegmentValue(v, funnel.SegmentDevice)), v)
		if v.Bot {
			continue
		}
		for id, p := range v.Products {
			pt := products[id]
			if pt == nil {
				pt = &ProductTally{ProductID: id}
				products[id] = pt
			}
			if p.Title != "" && (titles[id].IsZero() || titles[id].Before(p.TitleFrom)) {
				pt.Title, titles[id] = p.Title, p.TitleFrom
			}
			pt.Views += int64(p.ViewCount())
			pt.Adds += int64(p.AddCount())
			pt.AddValue, _ = funnel.AddAmount(pt.AddValue, p.AddValue())
			if p.ViewCount() > 0 {
				pt.ViewVisits++
			}
			if p.AddCount() > 0 {
				pt.AddVisits++
			}
		}
	}
	for _, p := range products {
		out.Products = append(out.Products, *p)
	}
	slices.SortFunc(out.Products, func(a, b ProductTally) int {
		if c := cmp.Compare(b.Views, a.Views); c != 0 {
			return c
		}
		return cmp.Compare(a.ProductID, b.ProductID)
	})
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
