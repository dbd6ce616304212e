package store

import (
	"context"
	"fmt"
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
