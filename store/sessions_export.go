package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// ExportChunk is how many sessions EachSession reads with one query.
const ExportChunk = 500

// EachSession calls fn with each of the shop's sessions matching f, in the
// order f asks for (its Limit and Offset are ignored), reading them
// ExportChunk at a time, each chunk after the last session of the one
// before in that order (keyset pagination). No query stays open while fn
// runs, so a slow reader of an export never holds a database connection
// (SQLite has one, which the webhooks need), and memory holds one chunk
// whatever the number of sessions. Statuses are taken at one instant for
// the whole run. A session written meanwhile that sorts after the ones
// already given is given too. It stops at fn's first error and returns
// it.
func (s *Store) EachSession(ctx context.Context, f SessionFilter, fn func(funnel.Session) error) error {
	if f.Now.IsZero() {
		f.Now = s.nowUTC()
	}
	order, cols, err := sessionOrder(f)
	if err != nil {
		return err
	}
	// Past the last row given, in the order's direction: the order is
	// descending unless it names a column and Desc is false.
	after := " > "
	if f.OrderBy == "" || f.Desc {
		after = " < "
	}
	keyset := "(" + strings.Join(cols, ", ") + ")" + after + "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var last *sessionRow
	for {
		q, err := s.filtered(ctx, f)
		if err != nil {
			return err
		}
		if last != nil {
			q = q.Where(keyset, keysetValues(*last, cols)...)
		}
		rows, err := findSessions(q.Order(order).Limit(ExportChunk))
		if err != nil {
			return fmt.Errorf("store: exporting sessions of shop %d: %w", f.ShopID, err)
		}
		for _, r := range rows {
			if err := fn(r.toSession()); err != nil {
				return err
			}
		}
		if len(rows) < ExportChunk {
			return nil
		}
		last = &rows[len(rows)-1]
	}
}

// keysetValues are r's values of the order's columns.
func keysetValues(r sessionRow, cols []string) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		switch c {
		case "started_at":
			out[i] = utc(r.s.StartedAt)
		case "value":
			out[i] = r.s.Value
		default: // id
			out[i] = r.ID
		}
	}
	return out
}
