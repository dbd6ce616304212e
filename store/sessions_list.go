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
	// Key keeps only the session with that key (an alert links to one);
	// "" is any.
	Key string
	// From and To bound started_at as instants, half-open [From, To): a
	// range of shop-local days is funnel.DayRange's Start and End. A zero
	// time leaves that side open.
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
	in, inArgs := sessionsIn(f.ShopID, f.From, f.To)
	q := s.db(ctx).Table("sessions").Where(in, inArgs...)
	if f.Key != "" {
		q = q.Where("session_key = ?", f.Key)
	}
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
	rows, err := findSessions(q.Order(order).Limit(limit).Offset(max(f.Offset, 0)))
	if err != nil {
		return nil, 0, fmt.Errorf("store: listing sessions: %w", err)
	}
	return rowsToSessions(rows), total, nil
}
