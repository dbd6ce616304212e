package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// SessionDetail is one session of a shop with what its page shows besides
// the session itself: its timeline and the alerts sent about it.
type SessionDetail struct {
	Session funnel.Session
	// Timeline is the entries the session's timeline keeps, in time
	// order (entries of one instant in the order they arrived).
	Timeline []funnel.TimelineEntry
	// TimelineEvents counts every event ever recorded for the session.
	// When it is more than len(Timeline), the ones left out come after
	// the first funnel.TimelineHead entries (funnel.TimelineCap).
	TimelineEvents int
	// Alerts are the alerts about the session, oldest first.
	Alerts []Alert
}

// TimelineLeftOut is how many of the session's events its timeline left
// out, between its first funnel.TimelineHead entries and its latest.
func (d SessionDetail) TimelineLeftOut() int {
	return max(d.TimelineEvents-len(d.Timeline), 0)
}

// SessionDetail returns the shop's session that key names, with its
// timeline and alerts; ErrNotFound when the shop has none (another shop's
// session is none). key is the session's key, or, for a link made before
// the session's key changed (its checkout seen before its cart), its cart
// or checkout token: the tokens an event joins a session by.
func (s *Store) SessionDetail(ctx context.Context, shopID int64, key string) (SessionDetail, error) {
	row, err := s.sessionNamed(ctx, shopID, key)
	if err != nil {
		return SessionDetail{}, fmt.Errorf("store: session %q of shop %d: %w", key, shopID, err)
	}
	d := SessionDetail{Session: row.toSession(), TimelineEvents: row.timeline}
	if d.Timeline, err = s.timeline(ctx, shopID, row.ID); err != nil {
		return SessionDetail{}, fmt.Errorf("store: timeline of session %d: %w", row.ID, err)
	}
	if d.Alerts, err = s.sessionAlerts(ctx, shopID, d.Session); err != nil {
		return SessionDetail{}, fmt.Errorf("store: alerts of session %d: %w", row.ID, err)
	}
	return d, nil
}

// sessionNamed is the shop's session whose key is key, else the oldest
// whose cart or checkout token is.
func (s *Store) sessionNamed(ctx context.Context, shopID int64, key string) (sessionRow, error) {
	if key == "" {
		return sessionRow{}, ErrNotFound
	}
	rows, err := findSessions(s.db(ctx).Table("sessions").Where("shop_id = ? AND session_key = ?", shopID, key).Limit(1))
	if err == nil && len(rows) == 0 {
		rows, err = findSessions(s.db(ctx).Table("sessions").
			Where("shop_id = ? AND (cart_token = ? OR checkout_token = ?)", shopID, key, key).Order("id").Limit(1))
	}
	switch {
	case err != nil:
		return sessionRow{}, err
	case len(rows) == 0:
		return sessionRow{}, ErrNotFound
	}
	return rows[0], nil
}

// timeline reads the timeline of the shop's session with that id.
func (s *Store) timeline(ctx context.Context, shopID, sessionID int64) ([]funnel.TimelineEntry, error) {
	rows, err := s.db(ctx).Raw(`SELECT source, name, occurred_at, stage, value, currency, item_count FROM session_events
		WHERE session_id = ? AND shop_id = ? ORDER BY occurred_at, id`, sessionID, shopID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []funnel.TimelineEntry
	for rows.Next() {
		var e funnel.TimelineEntry
		var source string
		var stage int
		if err := rows.Scan(&source, &e.Name, &e.At, &stage, &e.Value, &e.Currency, &e.ItemCount); err != nil {
			return nil, err
		}
		e.Source, e.Stage, e.At = funnel.Source(source), funnel.Stage(stage), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// sessionAlerts reads the shop's alerts about sess: those under its key,
// and those made under a token of it before its key changed.
func (s *Store) sessionAlerts(ctx context.Context, shopID int64, sess funnel.Session) ([]Alert, error) {
	keys := []string{sess.Key}
	for _, t := range []string{sess.CartToken, sess.CheckoutToken} {
		if t != "" && !slices.Contains(keys, t) {
			keys = append(keys, t)
		}
	}
	var rows []alertRow
	if err := s.db(ctx).Where("shop_id = ? AND session_key IN ?", shopID, keys).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		out[i] = r.toAlert()
	}
	return out, nil
}
