package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// sessionRow is a row of the sessions table, its columns those of
// sessionFields and the three that identify it.
type sessionRow struct {
	ID, ShopID           int64
	CreatedAt, UpdatedAt time.Time
	// s holds the session's fields whose columns keep them as they are,
	// its times in UTC to the microsecond. The others are kept below in
	// their columns' forms, and are zero in s: the text attributes in
	// attrs (indexed by funnel.Attr), ContentAt in contentAt (NULL when
	// zero), LineItems in lineItems, AttrSeen in attrSeen.
	s         funnel.Session
	attrs     [attrCount]string
	contentAt *time.Time
	lineItems lineItems
	attrSeen  attrSeen
	// furthest is s.Furthest(), and sample (0..63) SampleOf(s.Key):
	// sample 0 is the 1/64 of sessions the report's stage-gap medians read
	// over large ranges.
	furthest, sample int
	// timeline counts the events ever recorded in the session's timeline,
	// those left out past funnel.TimelineCap included: the rows of
	// session_events it has are the lesser of it and the cap.
	timeline int
}

// setSession sets r to the domain session s of shop shopID; it leaves
// ID, CreatedAt, UpdatedAt and timeline alone.
func (r *sessionRow) setSession(shopID int64, s funnel.Session) {
	r.ShopID, r.s = shopID, s
	r.contentAt, r.s.ContentAt = optTime(s.ContentAt), time.Time{}
	r.lineItems, r.s.LineItems = slices.Clone(lineItems(s.LineItems)), nil
	r.attrSeen = attrSeenOf(s)
	clear(r.s.AttrSeen[:])
	for _, a := range textAttrs {
		r.attrs[a] = s.Attr(a).Value
		r.s.SetAttr(a, funnel.Attribute{})
	}
	r.furthest, r.sample = int(s.Furthest()), SampleOf(s.Key)
	r.normalize()
}

// toSession maps a row back to the domain, in Merge's canonical form (UTC
// times, nil empty slices) so that loaded sessions compare equal to
// sessions folded in memory.
func (r sessionRow) toSession() funnel.Session {
	s := r.s
	s.ContentAt = valTime(r.contentAt)
	s.LineItems = []funnel.LineItem(r.lineItems)
	for a, st := range r.attrSeen {
		s.AttrSeen[a] = st
	}
	for _, a := range textAttrs {
		s.SetAttr(a, funnel.Attribute{Value: r.attrs[a], Seen: s.AttrSeen[a]})
	}
	return funnel.Merge(s, funnel.Session{})
}

// rowsToSessions maps rows to sessions.
func rowsToSessions(rows []sessionRow) []funnel.Session {
	out := make([]funnel.Session, len(rows))
	for i, r := range rows {
		out[i] = r.toSession()
	}
	return out
}

// scanSessions reads rows of sessionSelect.
func scanSessions(rows rowScanner) ([]sessionRow, error) {
	var out []sessionRow
	for rows.Next() {
		var r sessionRow
		if err := rows.Scan(r.scanTargets()...); err != nil {
			return nil, fmt.Errorf("reading session: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// findSessions runs q, a query on sessions, and reads the rows it finds
// whole.
func findSessions(q *gorm.DB) ([]sessionRow, error) {
	rows, err := q.Select(sessionSelect).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanSessions(rows)
}

// SampleOf returns the sample (0..63) of a session key: FNV-1a of the key
// modulo 64. Sessions of sample 0 are the deterministic 1/64 the report
// reads for stage-gap medians over large ranges; a key always lands in the
// same sample, whatever order its events arrived in.
func SampleOf(key string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return int(h.Sum32() % 64)
}

// SessionByKey returns the shop's session with that key; ErrNotFound when
// there is none.
func (s *Store) SessionByKey(ctx context.Context, shopID int64, key string) (funnel.Session, error) {
	rows, err := findSessions(s.db(ctx).Table("sessions").Where("shop_id = ? AND session_key = ?", shopID, key).Limit(1))
	if err != nil {
		return funnel.Session{}, fmt.Errorf("store: loading session: %w", err)
	}
	if len(rows) == 0 {
		return funnel.Session{}, fmt.Errorf("store: session %q of shop %d: %w", key, shopID, ErrNotFound)
	}
	out := []funnel.Session{rows[0].toSession()}
	if err := s.joinVisits(ctx, shopID, out); err != nil {
		return funnel.Session{}, err
	}
	return out[0], nil
}
