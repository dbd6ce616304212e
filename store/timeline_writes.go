package store

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// timelineWrites is what an ingest batch changes in session_events, in the
// order the writes run: the rows of stored sessions merged into others
// move to the session they joined (before those are deleted, which would
// delete their rows), the batch's entries go in (those of new sessions
// with them), and the stored timelines past funnel.TimelineCap are
// trimmed.
type timelineWrites struct {
	moves   []timelineMove
	entries []timelineInsert
	trims   []timelineTrim
}

// timelineMove hands the rows of a shop's session from to session to.
type timelineMove struct{ shop, from, to int64 }

// timelineInsert is one new row: an entry of the shop's stored session
// with that id, or, when session is 0, of the session the batch inserts
// under key.
type timelineInsert struct {
	shop    int64
	session int64
	key     string
	entry   funnel.TimelineEntry
	created time.Time
}

// timelineTrim leaves out excess rows of the shop's stored session: the
// ones after its first funnel.TimelineHead by time, so that it keeps its
// earliest and its latest entries.
type timelineTrim struct {
	shop, session int64
	excess        int
}

// timelineWrites returns the batch's writes to session_events, once merge
// has run over live: each inserted delivery's entry for the session its
// event ended up in, the moves of merged sessions' rows, and the trims.
// A new session's timeline is all in the batch, so it is capped here (its
// entries sorted as the trim sorts rows: by time, then arrival); a stored
// one's by a trim. The keeper rule makes every stored session that is
// merged away end up in a stored one; a move to one the batch makes would
// be a bug, and is an error.
func (b *ingestBatch) timelineWrites(live map[int64][]*liveSession) (timelineWrites, error) {
	var w timelineWrites
	fresh := map[*liveSession][]timelineInsert{}
	for i, l := range b.into {
		if l == nil {
			continue
		}
		it, f := b.items[i], l.final()
		e := funnel.WebhookEntry(*it.Event, it.Delivery.Topic)
		e.At = utc(e.At)
		r := timelineInsert{shop: it.ShopID, session: f.id, key: f.sess.Key, entry: e, created: b.now}
		if f.id == 0 {
			fresh[f] = append(fresh[f], r)
			continue
		}
		w.entries = append(w.entries, r)
	}
	for _, shopID := range slices.Sorted(maps.Keys(live)) {
		for _, l := range live[shopID] {
			switch {
			case l.deleted && l.orig != nil && l.origTimeline > 0:
				to := l.final()
				if to.id == 0 {
					return w, fmt.Errorf("session %d was merged into one not yet stored", l.id)
				}
				w.moves = append(w.moves, timelineMove{shop: shopID, from: l.id, to: to.id})
			case !l.deleted && l.id != 0 && l.rows > funnel.TimelineCap:
				w.trims = append(w.trims, timelineTrim{shop: shopID, session: l.id, excess: l.rows - funnel.TimelineCap})
			case !l.deleted && l.id == 0:
				w.entries = append(w.entries, capEntries(fresh[l])...)
			}
		}
	}
	slices.SortFunc(w.moves, func(a, b timelineMove) int { return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.from, b.from)) })
	return w, nil
}

// capEntries keeps, of a new session's entries in arrival order, what a
// trim of their rows would: all of them up to funnel.TimelineCap, else
// the earliest funnel.TimelineHead and the latest by time.
func capEntries(rows []timelineInsert) []timelineInsert {
	if len(rows) <= funnel.TimelineCap {
		return rows
	}
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b timelineInsert) int { return a.entry.At.Compare(b.entry.At) })
	return append(sorted[:funnel.TimelineHead:funnel.TimelineHead], sorted[len(sorted)-(funnel.TimelineCap-funnel.TimelineHead):]...)
}

// timelineColumn is one column of session_events that an insert writes
// from an entry, besides shop_id and session_id: its name, its PostgreSQL
// type, and its value.
type timelineColumn struct {
	name, pgType string
	value        func(r *timelineInsert) any
}

// timelineColumns are the columns an insert into session_events writes
// from its entry, in order: the one list pgInsertTimeline and
// sqliteInsertTimeline are built from.
func timelineColumns() []timelineColumn {
	return []timelineColumn{
		{"source", "text", func(r *timelineInsert) any { return string(r.entry.Source) }},
		{"name", "text", func(r *timelineInsert) any { return r.entry.Name }},
		{"occurred_at", "timestamptz", func(r *timelineInsert) any { return r.entry.At }},
		{"stage", "integer", func(r *timelineInsert) any { return int(r.entry.Stage) }},
		{"value", "bigint", func(r *timelineInsert) any { return r.entry.Value }},
		{"currency", "text", func(r *timelineInsert) any { return r.entry.Currency }},
		{"item_count", "integer", func(r *timelineInsert) any { return r.entry.ItemCount }},
		{"created_at", "timestamptz", func(r *timelineInsert) any { return r.created }},
	}
}

// timelineColumnNames is the names of timelineColumns, comma-separated.
func timelineColumnNames() string {
	var names []string
	for _, c := range timelineColumns() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// The statements of the timeline writes on PostgreSQL, each one text for
// any batch, with its rows as arrays (see pgIngest).
var (
	// pgMoveTimeline hands rows from merged sessions to the ones they
	// joined.
	pgMoveTimeline = `UPDATE session_events AS e SET session_id = m.to_id
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS m (shop_id, from_id, to_id)
		WHERE e.session_id = m.from_id AND e.shop_id = m.shop_id`

	// pgInsertTimeline inserts entries in batch order (so that ids tell
	// the order of arrival), each for the stored session it names.
	pgInsertTimeline = pgTimelineInsert("", "e.session_id")

	// pgInsertSessionsAndTimeline is pgInsertSessions, its inserted
	// sessions' ids returned to the insert of the entries, which takes an
	// entry's session from there when it names none (0): the batch's new
	// sessions are found by key among the rows just inserted, never by a
	// lookup in sessions, which a generic plan made while the table was
	// small may do through any index that starts with shop_id. A session
	// that is not found makes session_id NULL, which fails the statement,
	// and so the batch, before its COMMIT.
	pgInsertSessionsAndTimeline = pgTimelineInsert("WITH ins AS ("+pgInsertSessions+" RETURNING id, shop_id, session_key) ",
		"COALESCE(NULLIF(e.session_id, 0), (SELECT ins.id FROM ins WHERE ins.shop_id = e.shop_id AND ins.session_key = e.session_key))")

	// pgTrimTimeline deletes each trimmed session's excess rows after its
	// first funnel.TimelineHead by time.
	pgTrimTimeline = `DELETE FROM session_events AS d USING (
		SELECT k.id FROM unnest($1::bigint[], $2::bigint[], $3::integer[]) AS t (shop_id, session_id, excess),
		LATERAL (SELECT e.id FROM session_events e WHERE e.session_id = t.session_id AND e.shop_id = t.shop_id
			ORDER BY e.occurred_at, e.id OFFSET ` + strconv.Itoa(funnel.TimelineHead) + ` LIMIT t.excess) AS k) AS x
		WHERE d.id = x.id`
)

// pgTimelineInsert is an insert of entries given as arrays, after with (a
// WITH clause whose parameters come first), each entry's session_id the
// SQL session.
func pgTimelineInsert(with, session string) string {
	first := 1
	if with != "" {
		first = 2 // $1 is pgInsertSessions' JSON
	}
	param := func(i int, typ string) string { return "$" + strconv.Itoa(first+i) + "::" + typ + "[]" }
	arrays := []string{param(0, "bigint"), param(1, "bigint"), param(2, "text")}
	cols := []string{"shop_id", "session_id", "session_key"}
	var sel []string
	for i, c := range timelineColumns() {
		arrays = append(arrays, param(3+i, c.pgType))
		cols = append(cols, c.name)
		sel = append(sel, "e."+c.name)
	}
	return with + `INSERT INTO session_events (shop_id, session_id, ` + timelineColumnNames() + `)
		SELECT e.shop_id, ` + session + `, ` + strings.Join(sel, ", ") + `
		FROM unnest(` + strings.Join(arrays, ", ") + `) WITH ORDINALITY AS e (` + strings.Join(cols, ", ") + `, n)
		ORDER BY e.n`
}

// queueTimelineMoves queues the moves of w, which must run before the
// sessions they leave are deleted.
func queueTimelineMoves(p *pipeline, w timelineWrites) {
	if len(w.moves) == 0 {
		return
	}
	shops, from, to := make([]int64, len(w.moves)), make([]int64, len(w.moves)), make([]int64, len(w.moves))
	for i, m := range w.moves {
		shops[i], from[i], to[i] = m.shop, m.from, m.to
	}
	p.exec(pgMoveTimeline, shops, from, to)
}

// queueTimelineRows queues the inserts of w, with the batch's new
// sessions when insertSessions is their JSON (pgInsertSessions'
// argument), and then its trims. It runs after the stored sessions'
// writes.
func queueTimelineRows(p *pipeline, w timelineWrites, insertSessions string) {
	switch n := len(w.entries); {
	case n > 0:
		shops, ids, keys := make([]int64, n), make([]int64, n), make([]string, n)
		for i, r := range w.entries {
			shops[i], ids[i], keys[i] = r.shop, r.session, r.key
		}
		args := []any{shops, ids, keys}
		for _, c := range timelineColumns() {
			args = append(args, timelineArray(c, w.entries))
		}
		if insertSessions != "" {
			p.exec(pgInsertSessionsAndTimeline, append([]any{insertSessions}, args...)...)
		} else {
			p.exec(pgInsertTimeline, args...)
		}
	case insertSessions != "":
		p.exec(pgInsertSessions, insertSessions)
	}
	if n := len(w.trims); n > 0 {
		shops, ids, excess := make([]int64, n), make([]int64, n), make([]int32, n)
		for i, t := range w.trims {
			shops[i], ids[i], excess[i] = t.shop, t.session, int32(t.excess)
		}
		p.exec(pgTrimTimeline, shops, ids, excess)
	}
}

// timelineArray is column c of the entries as a typed array, so that pgx
// encodes it as c.pgType's array.
func timelineArray(c timelineColumn, rows []timelineInsert) any {
	switch c.pgType {
	case "text":
		return typedArray[string](c, rows)
	case "timestamptz":
		return typedArray[time.Time](c, rows)
	case "integer":
		return typedArray[int](c, rows)
	}
	return typedArray[int64](c, rows)
}

// typedArray is column c of the entries as a []T.
func typedArray[T any](c timelineColumn, rows []timelineInsert) []T {
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = c.value(&rows[i]).(T)
	}
	return out
}

// sqliteTimelineMoves applies the moves of w on SQLite, before the
// sessions they leave are deleted.
func sqliteTimelineMoves(tx *gorm.DB, w timelineWrites) error {
	for _, m := range w.moves {
		if err := tx.Exec("UPDATE session_events SET session_id = ? WHERE shop_id = ? AND session_id = ?", m.to, m.shop, m.from).Error; err != nil {
			return fmt.Errorf("moving timeline rows: %w", err)
		}
	}
	return nil
}

// sqliteTimelineRows inserts the entries of w, in one multi-row statement
// whose new sessions' ids are looked up by key (a missing session fails
// the NOT NULL of session_id), and trims the timelines past the cap.
func sqliteTimelineRows(tx *gorm.DB, w timelineWrites) error {
	cols := timelineColumns()
	row := "(?, COALESCE(NULLIF(?, 0), (SELECT id FROM sessions WHERE shop_id = ? AND session_key = ?))" + strings.Repeat(", ?", len(cols)) + ")"
	for chunk := range slices.Chunk(w.entries, sqliteRowsPerStatement(4+len(cols))) {
		args := make([]any, 0, len(chunk)*(4+len(cols)))
		for i := range chunk {
			r := &chunk[i]
			args = append(args, r.shop, r.session, r.shop, r.key)
			for _, c := range cols {
				args = append(args, c.value(r))
			}
		}
		q := "INSERT INTO session_events (shop_id, session_id, " + timelineColumnNames() + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", ")
		if err := tx.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("inserting timeline entries: %w", err)
		}
	}
	for _, t := range w.trims {
		err := tx.Exec(`DELETE FROM session_events WHERE id IN (SELECT id FROM session_events
			WHERE session_id = ? AND shop_id = ? ORDER BY occurred_at, id LIMIT ? OFFSET ?)`,
			t.session, t.shop, t.excess, funnel.TimelineHead).Error
		if err != nil {
			return fmt.Errorf("trimming a timeline: %w", err)
		}
	}
	return nil
}
