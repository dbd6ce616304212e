package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// DefaultListLimit is the page size ListSessions uses when Limit is 0, and
// MaxListLimit the largest it accepts.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// SessionFilter selects a page of a shop's sessions.
type SessionFilter struct {
	ShopID int64
	// Status keeps sessions with that status at Now against Idle; "" is any.
	Status funnel.Status
	// From and To are inclusive calendar dates (their year, month and day,
	// read in their own location) on started_at, i.e.
	// [From 00:00 UTC, To+1d 00:00 UTC); a zero time leaves that side open.
	From, To time.Time
	// Now is the instant statuses are taken at (zero = the store's clock).
	Now  time.Time
	Idle time.Duration
	// Limit is the page size (0 = DefaultListLimit, capped at MaxListLimit);
	// Offset skips that many sessions.
	Limit, Offset int
	// OrderBy is "" (started_at, newest first, ignoring Desc),
	// "started_at" or "value", ascending unless Desc.
	OrderBy string
	Desc    bool
}

// dayRange turns inclusive calendar dates into a half-open UTC interval;
// zero times give zero bounds.
func dayRange(from, to time.Time) (start, end time.Time) {
	if !from.IsZero() {
		y, m, d := from.Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if !to.IsZero() {
		y, m, d := to.Date()
		end = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	}
	return start, end
}

// inRange scopes q to sessions started in the inclusive date range.
func inRange(q *gorm.DB, from, to time.Time) *gorm.DB {
	start, end := dayRange(from, to)
	if !start.IsZero() {
		q = q.Where("started_at >= ?", start)
	}
	if !end.IsZero() {
		q = q.Where("started_at < ?", end)
	}
	return q
}

// withStatus scopes q to sessions whose funnel.Session.Status at now
// against idle is st, in SQL: completed_at and abandoned_at decide
// completed and recovered; otherwise last_activity against now-idle decides
// active, and furthest_stage the drop-off kind (funnel.DropoffStages).
func withStatus(q *gorm.DB, st funnel.Status, now time.Time, idle time.Duration) (*gorm.DB, error) {
	cutoff := utc(now.Add(-idle))
	switch st {
	case "":
		return q, nil
	case funnel.StatusCompleted:
		return q.Where("completed_at IS NOT NULL AND abandoned_at IS NULL"), nil
	case funnel.StatusRecovered:
		return q.Where("completed_at IS NOT NULL AND abandoned_at IS NOT NULL"), nil
	case funnel.StatusActive:
		return q.Where("completed_at IS NULL AND last_activity > ?", cutoff), nil
	}
	stages := funnel.DropoffStages(st)
	if len(stages) == 0 {
		return nil, fmt.Errorf("store: unknown session status %q", st)
	}
	ints := make([]int, len(stages))
	for i, s := range stages {
		ints[i] = int(s)
	}
	return q.Where("completed_at IS NULL AND last_activity <= ? AND furthest_stage IN ?", cutoff, ints), nil
}

// ListSessions returns one page of the shop's sessions matching f, and how
// many match in all.
func (s *Store) ListSessions(ctx context.Context, f SessionFilter) ([]funnel.Session, int64, error) {
	if f.Now.IsZero() {
		f.Now = s.nowUTC()
	}
	q := inRange(s.db(ctx).Model(&sessionRow{}).Where("shop_id = ?", f.ShopID), f.From, f.To)
	q, err := withStatus(q, f.Status, f.Now, f.Idle)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: counting sessions: %w", err)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	var order string
	switch f.OrderBy {
	case "":
		order = "started_at DESC, id DESC"
	case "started_at":
		order = "started_at" + dir + ", id" + dir
	case "value":
		order = "value" + dir + ", started_at" + dir + ", id" + dir
	default:
		return nil, 0, fmt.Errorf("store: cannot order sessions by %q", f.OrderBy)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	var rows []sessionRow
	if err := q.Order(order).Limit(limit).Offset(max(f.Offset, 0)).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("store: listing sessions: %w", err)
	}
	return rowsToSessions(rows), total, nil
}

// AllSegment is FunnelTally's key when there is no segment.
const AllSegment = "all"

// FunnelTally folds the shop's sessions started in the inclusive date range
// [from, to] (see SessionFilter) into tallies with statuses taken at now
// against idle: one under AllSegment when segment is "", otherwise one per
// value of funnel.SegmentValue.
func (s *Store) FunnelTally(ctx context.Context, shopID int64, from, to, now time.Time, idle time.Duration, segment string) (map[string]*funnel.Tally, error) {
	if segment != "" && !funnel.ValidSegment(segment) {
		return nil, fmt.Errorf("store: unknown segment %q", segment)
	}
	out := map[string]*funnel.Tally{}
	if segment == "" {
		out[AllSegment] = &funnel.Tally{}
	}
	q := inRange(s.db(ctx).Model(&sessionRow{}).Omit("line_items").Where("shop_id = ?", shopID), from, to)
	var batch []sessionRow
	err := q.FindInBatches(&batch, 1000, func(_ *gorm.DB, _ int) error {
		for _, r := range batch {
			sess := r.toSession()
			key := AllSegment
			if segment != "" {
				key = funnel.SegmentValue(sess, segment)
			}
			t := out[key]
			if t == nil {
				t = &funnel.Tally{}
				out[key] = t
			}
			t.Add(sess, now, idle)
		}
		return nil
	}).Error
	if err != nil {
		return nil, fmt.Errorf("store: tallying sessions of shop %d: %w", shopID, err)
	}
	return out, nil
}

// FlagAbandoned sets abandoned_at to now on the shop's sessions that are
// not completed, reached at least added_to_cart, have been idle for idle or
// longer (the boundary of funnel.Session.Status) and were never flagged. It
// returns the sessions it flagged; a session is flagged once, even with
// concurrent scans.
func (s *Store) FlagAbandoned(ctx context.Context, shopID int64, now time.Time, idle time.Duration) ([]funnel.Session, error) {
	var rows []sessionRow
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []int64
		err := tx.Raw(`UPDATE sessions SET abandoned_at = ?, updated_at = ?
			WHERE shop_id = ? AND completed_at IS NULL AND abandoned_at IS NULL
				AND furthest_stage >= ? AND last_activity <= ?
			RETURNING id`,
			utc(now), s.nowUTC(), shopID, int(funnel.StageAddedToCart), utc(now.Add(-idle))).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		return tx.Where("shop_id = ? AND id IN ?", shopID, ids).Order("started_at, id").Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: flagging abandoned sessions of shop %d: %w", shopID, err)
	}
	return rowsToSessions(rows), nil
}
