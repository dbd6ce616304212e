package store

import (
	"context"
	"fmt"
	"strings"
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
	// Segment and SegmentValue keep the sessions whose value of the
	// segment (funnel.SegmentValue) is SegmentValue; "" is any.
	Segment, SegmentValue string
	// Search keeps the sessions whose e-mail, phone or a product title
	// holds it (searchCond); "" is any.
	Search string
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

// filtered is the query of the shop's sessions matching f, unordered.
func (s *Store) filtered(ctx context.Context, f SessionFilter) (*gorm.DB, error) {
	if f.Now.IsZero() {
		f.Now = s.nowUTC()
	}
	in, inArgs := sessionsIn(f.ShopID, f.From, f.To)
	q := s.db(ctx).Table("sessions").Where(in, inArgs...)
	if f.Key != "" {
		q = q.Where("session_key = ?", f.Key)
	}
	if f.Segment != "" || f.SegmentValue != "" {
		if !funnel.ValidSegment(f.Segment) {
			return nil, fmt.Errorf("store: unknown segment %q", f.Segment)
		}
		if f.SegmentValue != "" {
			q = q.Where(segmentExpr(f.Segment)+" = ?", f.SegmentValue)
		}
	}
	if f.Search != "" {
		cond, args := s.searchCond(f.Search)
		q = q.Where(cond, args...)
	}
	return withStatus(q, f.Status, f.Now, f.Idle)
}

// sessionOrder is the ORDER BY of f's sessions, and the columns it orders
// by, the last one id, so that the order is total.
func sessionOrder(f SessionFilter) (order string, cols []string, err error) {
	switch f.OrderBy {
	case "":
		return "started_at DESC, id DESC", []string{"started_at", "id"}, nil
	case "started_at":
		cols = []string{"started_at", "id"}
	case "value":
		cols = []string{"value", "started_at", "id"}
	default:
		return "", nil, fmt.Errorf("store: cannot order sessions by %q", f.OrderBy)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	terms := make([]string, len(cols))
	for i, c := range cols {
		terms[i] = c + dir
	}
	return strings.Join(terms, ", "), cols, nil
}

// ListSessions returns one page of the shop's sessions matching f, and how
// many match in all.
func (s *Store) ListSessions(ctx context.Context, f SessionFilter) ([]funnel.Session, int64, error) {
	q, err := s.filtered(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: counting sessions: %w", err)
	}
	order, _, err := sessionOrder(f)
	if err != nil {
		return nil, 0, err
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
	out := rowsToSessions(rows)
	if err := s.joinVisits(ctx, f.ShopID, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
