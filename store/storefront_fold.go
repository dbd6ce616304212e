package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// foldRows is how many inbox rows (each one shop's part of a /collect
// group commit) a fold takes at most.
const foldRows = 256

// FoldAttempts is how many failed folds of a row alone make FoldStorefront
// give it up: it is kept and no longer taken.
const FoldAttempts = 5

// inboxRow is a row of storefront_inbox: one shop's part of one accepted
// group, to fold: the raw events of the shop received at ReceivedAt (the
// group's time, which all its rows carry) and Events, a JSON array of
// those not kept raw (bots'). Two groups of one shop may share a time; a
// row then brings the other's events to its fold too, which changes
// nothing, as a fold of events already folded changes nothing (funnel.Fold).
type inboxRow struct {
	ID         int64
	ShopID     int64
	ReceivedAt time.Time
	Events     string
}

// rawEvent is a storefront_events row's shop and event, as a fold reads it.
type rawEvent struct {
	ShopID int64
	Event  string
}

// StorefrontFold is what one FoldStorefront did: the inbox rows it took,
// the events they held, and how many rows it could not fold (their
// attempt counted, kept in the inbox).
type StorefrontFold struct {
	Rows   int
	Events int
	Failed int
}

// FoldStorefront folds the oldest accepted storefront events not yet
// folded (AcceptStorefront's inbox rows, at most foldRows, skipping those
// another transaction is folding) into their clients' visits, the
// storefront rollups and the sessions' payments, and deletes their rows,
// all in one transaction: the stored visits adjacent to the events are
// refolded (funnel.Fold) and the changed ones replaced. Concurrent folds
// of one client are serialised (advisory transaction locks on
// PostgreSQL, BEGIN IMMEDIATE on SQLite). When the transaction fails, each
// row is folded alone, so that one that cannot be folded holds up no
// other: its attempt is counted (storefront_inbox.attempts) and the error
// returned with the others'.
func (s *Store) FoldStorefront(ctx context.Context) (StorefrontFold, error) {
	return s.foldInbox(ctx, inboxTake{})
}

// DrainStorefront folds until no accepted event is left to fold, waiting
// for the rows another transaction is folding: once it returns, every
// event accepted before it began is in its visit, but for rows that
// cannot be folded, whose errors it returns.
func (s *Store) DrainStorefront(ctx context.Context) error { return s.drainStorefront(ctx, 0) }

// drainStorefront is DrainStorefront for the rows of shop shopID alone,
// or of every shop when shopID is 0.
func (s *Store) drainStorefront(ctx context.Context, shopID int64) error {
	var errs []error
	for {
		f, err := s.foldInbox(ctx, inboxTake{wait: true, shop: shopID})
		if err != nil {
			errs = append(errs, err)
		}
		if f.Rows == 0 || ctx.Err() != nil {
			return errors.Join(errs...)
		}
	}
}

// inboxTake says which inbox rows a fold takes: the oldest foldRows still
// to be tried, of shop alone when shop > 0, or row id alone when id > 0;
// on PostgreSQL, skipping the rows another fold holds, or waiting for them
// when wait (a row that fold deletes is then not taken).
type inboxTake struct {
	wait     bool
	shop, id int64
}

// foldInbox is one fold of the rows t takes, then, should it fail, of
// each of them alone.
func (s *Store) foldInbox(ctx context.Context, t inboxTake) (StorefrontFold, error) {
	var taken []int64
	f, err := s.foldRows(ctx, takeInbox(s.isPG(), t), &taken)
	switch {
	case err == nil:
		return f, nil
	case ctx.Err() != nil || len(taken) == 0:
		// The caller gave up, or nothing was taken (the take itself
		// failed): no row to blame.
		return StorefrontFold{}, fmt.Errorf("store: folding storefront events: %w", err)
	case len(taken) == 1:
		return s.foldFailed(ctx, taken[0], err)
	}
	var errs []error
	f = StorefrontFold{}
	for _, id := range taken {
		one, err := s.foldRows(ctx, takeInbox(s.isPG(), inboxTake{wait: t.wait, id: id}), nil)
		if err != nil && ctx.Err() != nil {
			return f, fmt.Errorf("store: folding storefront events: %w", err)
		}
		if err != nil {
			one, err = s.foldFailed(ctx, id, err)
			errs = append(errs, err)
		}
		f.Rows, f.Events, f.Failed = f.Rows+one.Rows, f.Events+one.Events, f.Failed+one.Failed
	}
	return f, errors.Join(errs...)
}

// foldFailed counts a failed fold of row id alone and says so.
func (s *Store) foldFailed(ctx context.Context, id int64, cause error) (StorefrontFold, error) {
	err := s.db(ctx).Exec(`UPDATE storefront_inbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`,
		cause.Error(), id).Error
	if err != nil {
		return StorefrontFold{}, fmt.Errorf("store: folding storefront inbox row %d: %w (and counting the attempt: %w)", id, cause, err)
	}
	return StorefrontFold{Rows: 1, Failed: 1}, fmt.Errorf("store: folding storefront inbox row %d: %w", id, cause)
}

// takeInbox is the statement that takes (deletes and returns) the rows t
// says.
func takeInbox(pg bool, t inboxTake) string {
	which := fmt.Sprintf("attempts < %d", FoldAttempts)
	if t.shop > 0 {
		which += fmt.Sprintf(" AND shop_id = %d", t.shop)
	}
	if t.id > 0 {
		which += fmt.Sprintf(" AND id = %d", t.id)
	}
	lock := ""
	if pg {
		lock = " FOR UPDATE SKIP LOCKED"
		if t.wait {
			lock = " FOR UPDATE"
		}
	}
	return fmt.Sprintf(`DELETE FROM storefront_inbox WHERE id IN (SELECT id FROM storefront_inbox WHERE %s ORDER BY id LIMIT %d%s)
		RETURNING id, shop_id, received_at, events`, which, foldRows, lock)
}

// foldRows takes rows with the statement take and folds their events in
// one transaction; taken, when not nil, receives the ids taken.
func (s *Store) foldRows(ctx context.Context, take string, taken *[]int64) (StorefrontFold, error) {
	var f StorefrontFold
	now := s.nowUTC()
	fold := func(rows []inboxRow, raw []rawEvent) (map[clientKey][]funnel.StorefrontEvent, error) {
		f = StorefrontFold{Rows: len(rows)}
		if taken != nil {
			*taken = (*taken)[:0]
			for _, r := range rows {
				*taken = append(*taken, r.ID)
			}
		}
		byClient, n, err := inboxEvents(rows, raw)
		f.Events = n
		return byClient, err
	}
	var err error
	if s.isPG() {
		err = s.pgTx(ctx, func(tx pgx.Tx) error {
			got, err := tx.Query(ctx, take)
			if err != nil {
				return fmt.Errorf("taking events to fold: %w", err)
			}
			var rows []inboxRow
			var r inboxRow
			if _, err := pgx.ForEachRow(got, []any{&r.ID, &r.ShopID, &r.ReceivedAt, &r.Events}, func() error { rows = append(rows, r); return nil }); err != nil {
				return fmt.Errorf("taking events to fold: %w", err)
			}
			raw, err := pgInboxRaw(ctx, tx, rows)
			if err != nil {
				return err
			}
			byClient, err := fold(rows, raw)
			if err != nil {
				return err
			}
			return pgFoldStorefront(ctx, tx, byClient, now)
		})
	} else {
		err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
			var rows []inboxRow
			if err := tx.Raw(take).Scan(&rows).Error; err != nil {
				return fmt.Errorf("taking events to fold: %w", err)
			}
			raw, err := sqliteInboxRaw(tx, rows)
			if err != nil {
				return err
			}
			byClient, err := fold(rows, raw)
			if err != nil {
				return err
			}
			return foldStorefrontSQLite(tx, byClient, now)
		})
	}
	return f, err
}

// inboxKeys is rows' shops and times, each pair once.
func inboxKeys(rows []inboxRow) (shops []int64, times []time.Time) {
	type key struct {
		shop int64
		at   time.Time
	}
	seen := map[key]bool{}
	for _, r := range rows {
		k := key{r.ShopID, r.ReceivedAt.UTC()}
		if !seen[k] {
			seen[k] = true
			shops, times = append(shops, r.ShopID), append(times, r.ReceivedAt)
		}
	}
	return shops, times
}

// pgInboxRaw reads, in one statement, the raw events rows refer to.
func pgInboxRaw(ctx context.Context, tx pgx.Tx, rows []inboxRow) ([]rawEvent, error) {
	shops, times := inboxKeys(rows)
	if len(shops) == 0 {
		return nil, nil
	}
	got, err := tx.Query(ctx, `SELECT e.shop_id, e.event FROM unnest($1::bigint[], $2::timestamptz[]) AS q (shop_id, received_at)
		JOIN storefront_events e ON e.shop_id = q.shop_id AND e.received_at = q.received_at`, shops, times)
	if err != nil {
		return nil, fmt.Errorf("reading the events to fold: %w", err)
	}
	var out []rawEvent
	var e rawEvent
	if _, err := pgx.ForEachRow(got, []any{&e.ShopID, &e.Event}, func() error { out = append(out, e); return nil }); err != nil {
		return nil, fmt.Errorf("reading the events to fold: %w", err)
	}
	return out, nil
}

// sqliteInboxRaw reads the raw events rows refer to, in one statement
// for as many of their keys as SQLite's parameters allow.
func sqliteInboxRaw(tx *gorm.DB, rows []inboxRow) ([]rawEvent, error) {
	shops, times := inboxKeys(rows)
	var out []rawEvent
	step := rowsPerStatement(tx, 2, foldRows)
	for lo := 0; lo < len(shops); lo += step {
		hi := min(len(shops), lo+step)
		args := make([]any, 0, 2*(hi-lo))
		for i := lo; i < hi; i++ {
			args = append(args, shops[i], times[i])
		}
		var got []rawEvent
		if err := tx.Raw(`SELECT shop_id, event FROM storefront_events WHERE (shop_id, received_at) IN (VALUES `+valueRows(hi-lo, 2)+`)`,
			args...).Scan(&got).Error; err != nil {
			return nil, fmt.Errorf("reading the events to fold: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// inboxEvents decodes the events of rows and raw, by client, and counts
// them.
func inboxEvents(rows []inboxRow, raw []rawEvent) (map[clientKey][]funnel.StorefrontEvent, int, error) {
	byClient := map[clientKey][]funnel.StorefrontEvent{}
	add := func(shop int64, e funnel.StorefrontEvent) {
		e.At = e.At.UTC()
		ck := clientKey{shop, e.ClientID}
		byClient[ck] = append(byClient[ck], e)
	}
	n := 0
	for _, r := range rows {
		var evs []funnel.StorefrontEvent
		if err := jsonv1.Unmarshal([]byte(r.Events), &evs); err != nil {
			return nil, 0, fmt.Errorf("decoding inbox row %d: %w", r.ID, err)
		}
		for _, e := range evs {
			add(r.ShopID, e)
		}
		n += len(evs)
	}
	for _, r := range raw {
		var e funnel.StorefrontEvent
		if err := decodeEventJSON(r.Event, &e); err != nil {
			return nil, 0, fmt.Errorf("decoding a raw event of shop %d: %w", r.ShopID, err)
		}
		add(r.ShopID, e)
	}
	return byClient, n + len(raw), nil
}

// StorefrontBacklog is what waits in the storefront inbox: the rows still
// to fold and when the oldest of them was accepted (zero when none), and
// the rows given up (FoldAttempts failed folds), kept for an operator.
type StorefrontBacklog struct {
	Rows    int64
	Oldest  time.Time
	GivenUp int64
}

// StorefrontBacklog reads the storefront inbox's backlog.
func (s *Store) StorefrontBacklog(ctx context.Context) (StorefrontBacklog, error) {
	var b StorefrontBacklog
	db := s.db(ctx)
	err := db.Raw(`SELECT count(*) FROM storefront_inbox WHERE attempts < ?`, FoldAttempts).Scan(&b.Rows).Error
	if err == nil {
		err = db.Raw(`SELECT count(*) FROM storefront_inbox WHERE attempts >= ?`, FoldAttempts).Scan(&b.GivenUp).Error
	}
	var oldest []struct{ ReceivedAt time.Time }
	if err == nil && b.Rows > 0 {
		err = db.Raw(`SELECT received_at FROM storefront_inbox WHERE attempts < ? ORDER BY id LIMIT 1`, FoldAttempts).Scan(&oldest).Error
	}
	if err != nil {
		return StorefrontBacklog{}, fmt.Errorf("store: reading the storefront inbox: %w", err)
	}
	if len(oldest) > 0 {
		b.Oldest = oldest[0].ReceivedAt.UTC()
	}
	return b, nil
}
