package store

import (
	"context"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// ImpactCounts is the cart funnel of one window of a change's impact: the
// sessions by device (funnel.SegmentDevice's values: "unknown" for a
// session no visit joined) and furthest stage, and the completed
// sessions' order value and currency.
type ImpactCounts struct {
	Furthest   map[funnel.Device]*[funnel.StageCompleted + 1]int64
	OrderValue int64
	Currency   string
}

// All sums Furthest over every device.
func (c ImpactCounts) All() [funnel.StageCompleted + 1]int64 {
	var out [funnel.StageCompleted + 1]int64
	for _, f := range c.Furthest {
		for st, n := range f {
			out[st] += n
		}
	}
	return out
}

// ImpactCounts counts the shop's sessions started in [start, end) (the
// range rule of every report, sessionsIn) and, when lastBefore is not
// zero, last active before it: the window before a change passes the
// change's time, so that a session that straddles the change counts in
// neither window. One GROUP BY, by the device of the session's joined
// visit (segmentExpr) and furthest stage.
func (s *Store) ImpactCounts(ctx context.Context, shopID int64, start, end, lastBefore time.Time) (ImpactCounts, error) {
	where, args := sessionsIn(shopID, start, end)
	if !lastBefore.IsZero() {
		where, args = where+" AND last_activity < ?", append(args, utc(lastBefore))
	}
	q := "SELECT " + segmentExpr(funnel.SegmentDevice) + " AS seg, furthest_stage, currency, COUNT(*), " +
		"COALESCE(SUM(CASE WHEN completed_at IS NOT NULL THEN value ELSE 0 END), 0) FROM sessions WHERE " + where +
		" GROUP BY 1, 2, 3"
	rows, err := s.db(ctx).Raw(q, args...).Rows()
	if err != nil {
		return ImpactCounts{}, fmt.Errorf("store: counting the sessions of shop %d for an impact: %w", shopID, err)
	}
	defer rows.Close()
	out := ImpactCounts{Furthest: map[funnel.Device]*[funnel.StageCompleted + 1]int64{}}
	for rows.Next() {
		var device, currency string
		var stage int
		var n, value int64
		if err := rows.Scan(&device, &stage, &currency, &n, &value); err != nil {
			return ImpactCounts{}, fmt.Errorf("store: counting the sessions of shop %d for an impact: %w", shopID, err)
		}
		if stage < int(funnel.StageNone) || stage > int(funnel.StageCompleted) {
			continue
		}
		f := out.Furthest[funnel.Device(device)]
		if f == nil {
			f = &[funnel.StageCompleted + 1]int64{}
			out.Furthest[funnel.Device(device)] = f
		}
		f[stage] += n
		out.OrderValue += value
		if currency != "" && (out.Currency == "" || currency < out.Currency) {
			out.Currency = currency
		}
	}
	if err := rows.Err(); err != nil {
		return ImpactCounts{}, fmt.Errorf("store: counting the sessions of shop %d for an impact: %w", shopID, err)
	}
	return out, nil
}

// ChangeOf returns the shop's change id; ok is false when the shop has no
// such change (another shop's included).
func (s *Store) ChangeOf(ctx context.Context, shopID, id int64) (c Change, ok bool, err error) {
	rows, err := s.db(ctx).Raw(`SELECT id, shop_id, at, kind, description, source, dedupe_key, created_at FROM store_changes
		WHERE shop_id = ? AND id = ?`, shopID, id).Rows()
	if err != nil {
		return Change{}, false, fmt.Errorf("store: reading change %d of shop %d: %w", id, shopID, err)
	}
	defer rows.Close()
	got, err := scanChanges(rows)
	if err != nil {
		return Change{}, false, fmt.Errorf("store: reading change %d of shop %d: %w", id, shopID, err)
	}
	if len(got) == 0 {
		return Change{}, false, nil
	}
	return got[0], true, nil
}
