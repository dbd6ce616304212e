package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ingestPostgres is IngestEvents' transaction on PostgreSQL, in two round
// trips on the pgx connection under database/sql: the first begins,
// takes the advisory locks, records the deliveries and reads the sessions
// they may join; the second writes what changed and commits. When the
// batch's orders complete checkouts, the second does not commit: the
// storefront visits that carried them move to completed in the rollups
// first (pgCompleteVisitsByOrders, a few statements more). Every
// statement has one text whatever the batch size, its rows passed as
// arrays or as one JSON document, so pgx prepares it once per connection.
// PostgreSQL plans the writes once per connection and the session lookup
// each time (see pgIngest). It reports which deliveries were inserted.
func (s *Store) ingestPostgres(ctx context.Context, b *ingestBatch) (inserted []bool, err error) {
	err = s.pgConn(ctx, func(c *pgx.Conn) error {
		var err error
		inserted, err = pgIngest(ctx, c, b)
		return err
	})
	return inserted, err
}

// pgIngest runs the two round trips (and the orders' storefront moves)
// and reports which deliveries were inserted.
func pgIngest(ctx context.Context, c *pgx.Conn, b *ingestBatch) ([]bool, error) {
	var first pipeline
	first.exec("BEGIN")
	if locks := b.locks(); len(locks) > 0 {
		// In the order of the lock keys, so that two transactions take
		// the locks they share in the same order and cannot deadlock.
		first.exec(pgXactLocks("funnelscope.session"), locks)
	}
	insert, firstOf, inserted := newBatchDeliveries(b.items, b.now)
	first.query(func(r pgx.Rows) error { return markInserted(r, firstOf, inserted) },
		pgInsertDeliveries, deliveryArrays(insert)...)
	var rows []sessionRow
	if q := b.lookup(); len(q.keys) > 0 {
		// Planned for its arguments each time: a plan kept for the
		// connection's prepared statement, made while the table was small
		// (a new install, before autovacuum's first ANALYZE), may look
		// sessions up through any index that starts with shop_id, and
		// then reads all of the shop's sessions for each lookup.
		first.exec("SET LOCAL plan_cache_mode = force_custom_plan")
		first.query(func(r pgx.Rows) (err error) { rows, err = scanSessions(r); return err },
			pgLoadSessions, lookupArrays(q)...)
	}
	if err := first.send(ctx, c); err != nil {
		return nil, pgDeadConn(c, err)
	}
	var second pipeline
	// The writes find their rows by primary key, so one plan serves every
	// batch: kept, where PostgreSQL would plan them anew each time (a
	// plan for the batch's own array sizes always looks cheaper), and
	// never a table scan, which it might choose while the table is small
	// and then keep as it grows.
	second.exec("SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true)")
	w, err := b.apply(rows, inserted)
	if err != nil {
		return nil, err
	}
	if err := queueWrites(&second, w); err != nil {
		return nil, err
	}
	completed := w.completedCheckouts(rows)
	paid, gone := w.paymentTokens()
	if len(completed) == 0 {
		pgSessionPayments(second.exec, paid, gone)
		second.exec("COMMIT")
		return inserted, second.send(ctx, c)
	}
	// Orders completed checkouts: the visits that carried them move to
	// completed in the storefront rollups, in this transaction.
	if err := second.send(ctx, c); err != nil {
		return nil, err
	}
	if err := pgCompleteVisitsByOrders(ctx, c, completed); err != nil {
		return nil, err
	}
	var third pipeline
	pgSessionPayments(third.exec, paid, gone)
	third.exec("COMMIT")
	return inserted, third.send(ctx, c)
}

// pipeline is statements sent in one round trip, each with what reads its
// result.
type pipeline struct {
	batch pgx.Batch
	reads []func(pgx.BatchResults) error
}

// exec queues a statement whose result is not read.
func (p *pipeline) exec(sql string, args ...any) {
	p.batch.Queue(sql, args...)
	p.reads = append(p.reads, func(br pgx.BatchResults) error {
		_, err := br.Exec()
		return err
	})
}

// query queues a statement whose rows read reads.
func (p *pipeline) query(read func(pgx.Rows) error, sql string, args ...any) {
	p.batch.Queue(sql, args...)
	p.reads = append(p.reads, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		return read(rows)
	})
}

// send runs the statements in order in one round trip; PostgreSQL skips
// those after a failure.
func (p *pipeline) send(ctx context.Context, c *pgx.Conn) error {
	br := c.SendBatch(ctx, &p.batch)
	for _, read := range p.reads {
		if err := read(br); err != nil {
			_ = br.Close()
			return err
		}
	}
	return br.Close()
}

// The statements on sessions whose text lists its columns, built once:
// they are the same for every batch.
var (
	// pgLoadSessions finds sessions by (shop, token) pairs, each pair a
	// LATERAL index lookup, and locks them in id order.
	pgLoadSessions = `SELECT ` + sessionSelect + `
	FROM sessions WHERE id = ANY (ARRAY (
		SELECT x.id FROM unnest($1::bigint[], $2::text[]) AS k (shop_id, token), LATERAL (SELECT id FROM sessions s
			WHERE s.shop_id = k.shop_id AND s.session_key = k.token) AS x
		UNION ALL SELECT x.id FROM unnest($3::bigint[], $4::text[]) AS k (shop_id, token), LATERAL (SELECT id FROM sessions s
			WHERE s.shop_id = k.shop_id AND s.checkout_token = k.token) AS x
		UNION ALL SELECT x.id FROM unnest($5::bigint[], $6::text[]) AS k (shop_id, token), LATERAL (SELECT id FROM sessions s
			WHERE s.shop_id = k.shop_id AND s.cart_token = k.token) AS x))
	ORDER BY id FOR UPDATE`

	// pgUpdateSessions overwrites the sessions of a JSON array of rows; the
	// ids come again as an array, as in the DELETE of queueWrites.
	pgUpdateSessions = `UPDATE sessions AS s SET ` + assignments(sessionColumns(), "r.") + `
		FROM jsonb_populate_recordset(NULL::sessions, $1::jsonb) AS r
		WHERE s.id = ANY ($2::bigint[]) AND s.id = r.id AND s.shop_id = r.shop_id`

	// pgInsertSessions inserts the sessions of a JSON array of rows.
	pgInsertSessions = `INSERT INTO sessions (shop_id, created_at, ` + strings.Join(sessionColumns(), ", ") + `)
		SELECT shop_id, created_at, ` + strings.Join(sessionColumns(), ", ") + `
		FROM jsonb_populate_recordset(NULL::sessions, $1::jsonb)`
)

// assignments is "c = prefix c" for each column, comma-separated.
func assignments(cols []string, prefix string) string {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = " + prefix + c
	}
	return strings.Join(set, ", ")
}

// lookupArrays are the arguments of pgLoadSessions.
func lookupArrays(q sessionLookup) []any {
	args := make([]any, 0, 6)
	for _, list := range [][]shopToken{q.keys, q.checkouts, q.carts} {
		shops, tokens := make([]int64, len(list)), make([]string, len(list))
		for i, t := range list {
			shops[i], tokens[i] = t.shop, t.token
		}
		args = append(args, shops, tokens)
	}
	return args
}

// queueWrites queues the statements that apply w: the timelines' moves,
// the sessions' deletes, updates and inserts, the timelines' inserts and
// trims, the rollups and the payment rollups.
func queueWrites(p *pipeline, w sessionWrites) error {
	queueTimelineMoves(p, w.timeline)
	var delShops, delIDs []int64
	for shopID, ids := range w.deleted {
		for _, id := range ids {
			delShops, delIDs = append(delShops, shopID), append(delIDs, id)
		}
	}
	if len(delIDs) > 0 {
		// The ids also as = ANY, so that the rows are found through the
		// primary key, whatever the table's size when the plan was made.
		p.exec(`DELETE FROM sessions AS s USING unnest($1::bigint[], $2::bigint[]) AS d (shop_id, id)
			WHERE s.id = ANY ($2::bigint[]) AND s.shop_id = d.shop_id AND s.id = d.id`, delShops, delIDs)
	}
	if len(w.updates) > 0 {
		ids := make([]int64, len(w.updates))
		for i, r := range w.updates {
			ids[i] = r.ID
		}
		doc, err := appendSessionsJSON(nil, w.updates)
		if err != nil {
			return fmt.Errorf("encoding sessions: %w", err)
		}
		p.exec(pgUpdateSessions, string(doc), ids)
	}
	var inserts string
	if len(w.inserts) > 0 {
		doc, err := appendSessionsJSON(nil, w.inserts)
		if err != nil {
			return fmt.Errorf("encoding sessions: %w", err)
		}
		inserts = string(doc)
	}
	// The inserts of new sessions go with their timelines' entries.
	queueTimelineRows(p, w.timeline, inserts)
	queueRollups(p, w.deltas)
	w.payments.pgQueue(p)
	return nil
}

// queueRollups queues the upsert of the deltas d to session_rollups, in
// key order; nothing when there are none.
func queueRollups(p *pipeline, d rollupDeltas) {
	keys := d.sorted()
	if len(keys) == 0 {
		return
	}
	n := len(keys)
	shops, quarters, currencies, shards := make([]int64, n), make([]int32, n), make([]string, n), make([]int32, n)
	sums := make([][]int64, len(rollupColumns()))
	for c := range sums {
		sums[c] = make([]int64, n)
	}
	for i, k := range keys {
		shops[i], quarters[i], currencies[i], shards[i] = k.shop, int32(k.quarter), k.currency, int32(k.shard)
		for c, v := range d[k].list() {
			sums[c][i] = v
		}
	}
	args := []any{shops, quarters, currencies, shards}
	for _, col := range sums {
		args = append(args, col)
	}
	p.exec(pgUpsertRollups, args...)
}

// pgUpsertRollups adds rollup deltas given as one array per column, in the
// key order of rollupDeltas.sorted.
var pgUpsertRollups = func() string {
	arrays := []string{"$1::bigint[]", "$2::integer[]", "$3::text[]", "$4::integer[]"}
	for i := range rollupColumns() {
		arrays = append(arrays, "$"+strconv.Itoa(5+i)+"::bigint[]")
	}
	return "INSERT INTO session_rollups (shop_id, quarter, currency, shard, " + strings.Join(rollupColumns(), ", ") + ")" +
		" SELECT * FROM unnest(" + strings.Join(arrays, ", ") + ")" + rollupUpsert
}()
