package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// pgPlanAuto asks, for the rest of a transaction, for PostgreSQL's own
// choice between a generic and a custom plan, not the store's default of
// a custom plan each time (Open), which cost about half again of
// PostgreSQL's CPU per event here (BENCHMARKS.md, "Generic plans"): the
// storefront writes' plans do not depend on their values.
const pgPlanAuto = "SELECT set_config('plan_cache_mode', 'auto', true)"

// pgTx runs fn in one transaction on a pgx connection (pgConn),
// committing when fn returns nil.
func (s *Store) pgTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.pgConn(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return pgDeadConn(c, err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// pgAcceptStorefront is AcceptStorefront's transaction on PostgreSQL, in
// one round trip between BEGIN and COMMIT whatever the group's size: the
// events inserted from arrays with ON CONFLICT DO NOTHING (the dedupe: a
// repeated event id inserts nothing and is never folded) and, in the same
// statement, an inbox row for each shop with new ones or bots' events
// (storefrontGroup.inbox's rule), then the pixels' last events.
func pgAcceptStorefront(ctx context.Context, tx pgx.Tx, g *storefrontGroup) error {
	botShops, botEvents, err := g.botEvents()
	if err != nil {
		return err
	}
	n := len(g.raw)
	shops, ids, clients, names := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	ats, events := make([]time.Time, n), make([]string, n)
	for i, r := range g.raw {
		shops[i], ids[i], clients[i], names[i], ats[i], events[i] = r.ShopID, r.EventID, r.ClientID, r.Name, r.OccurredAt, r.Event
	}
	var b pgx.Batch
	b.Queue(pgPlanAuto)
	b.Queue(`WITH fresh AS (
			INSERT INTO storefront_events (shop_id, event_id, client_id, name, occurred_at, event, received_at)
			SELECT shop_id, event_id, client_id, name, occurred_at, event, $7
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
				AS u (shop_id, event_id, client_id, name, occurred_at, event)
			ON CONFLICT (shop_id, event_id) DO NOTHING RETURNING shop_id)
		INSERT INTO storefront_inbox (shop_id, received_at, events)
		SELECT s.shop_id, $7, coalesce(bots.events, '[]')
		FROM (SELECT shop_id FROM fresh UNION SELECT unnest($8::bigint[])) AS s (shop_id)
			LEFT JOIN unnest($8::bigint[], $9::text[]) AS bots (shop_id, events) ON bots.shop_id = s.shop_id
		ORDER BY s.shop_id`, shops, ids, clients, names, ats, events, g.now, botShops, botEvents)
	b.Queue(pgTouchPixels, g.now, g.shopIDs(), g.now.Add(-pixelTouchEvery))
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("inserting %d storefront events and queueing them to fold: %w", n, err)
	}
	return nil
}

// pgTouchPixels is touchPixels' statement on PostgreSQL.
const pgTouchPixels = `UPDATE pixel_keys SET last_event_at = $1
	WHERE shop_id = ANY($2::bigint[]) AND (last_event_at IS NULL OR last_event_at < $3)`

// pgFoldStorefront is the fold of FoldStorefront's transaction on
// PostgreSQL, in a fixed number of statements whatever the number of
// clients: the advisory locks of its clients, one SELECT of every
// client's stored visits adjacent to its events, and, after the fold
// (refold, per client), the changed visits rewritten in place (UPDATE by
// id: a visit that grows keeps its row), the new ones written with COPY
// under ids taken from the sequence beforehand, their tokens and
// products replaced with COPY, the rollups' deltas and the payments of
// the sessions concerned.
func pgFoldStorefront(ctx context.Context, tx pgx.Tx, byClient map[clientKey][]funnel.StorefrontEvent, now time.Time) error {
	clients := sortedClients(byClient)
	if len(clients) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, pgPlanAuto); err != nil {
		return err
	}
	keys := make([]string, len(clients))
	for i, ck := range clients {
		keys[i] = strconv.FormatInt(ck.shop, 10) + ":" + ck.id
	}
	// pgXactLocks takes them in one global order, so that two
	// transactions folding the same client's visits serialise and cannot
	// deadlock.
	if _, err := tx.Exec(ctx, pgXactLocks("funnelscope.visit"), keys); err != nil {
		return fmt.Errorf("locking the clients' visits: %w", err)
	}
	stored, err := pgLoadVisits(ctx, tx, clients, byClient)
	if err != nil {
		return err
	}
	drops, writes := make([][]visitRow, len(clients)), make([][]funnel.Visit, len(clients))
	var checkouts, paid []shopToken
	var agents funnel.Agents
	for i, ck := range clients {
		if drops[i], writes[i], err = refold(&agents, stored[ck], byClient[ck]); err != nil {
			return err
		}
		checkouts = append(checkouts, checkoutsOfRefold(ck.shop, drops[i], writes[i])...)
		paid = append(paid, paymentTokensOfRefold(ck.shop, drops[i], writes[i])...)
	}
	completed, err := pgCheckoutsCompleted(ctx, tx, sortedTokens(checkouts), drops)
	if err != nil {
		return err
	}
	var w visitWrites
	d := newStorefrontDeltas()
	for i, ck := range clients {
		byOrder := countRefold(d, ck.shop, drops[i], writes[i], completed)
		if err := w.add(ck.shop, drops[i], writes[i], byOrder, now); err != nil {
			return err
		}
	}
	if err := w.apply(ctx, tx); err != nil {
		return err
	}
	if err := d.pgApply(ctx, tx); err != nil {
		return err
	}
	// Last: the payments' locks must be the transaction's last (session_payments.go).
	var b pgx.Batch
	pgSessionPayments(func(sql string, args ...any) { b.Queue(sql, args...) }, sortedTokens(paid), nil)
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return fmt.Errorf("rewriting the sessions' payments: %w", err)
		}
	}
	return nil
}

// pgLoadVisits reads, in one statement, each client's stored visits whose
// span comes within funnel.VisitGap of its new events, in order of start.
func pgLoadVisits(ctx context.Context, tx pgx.Tx, clients []clientKey, byClient map[clientKey][]funnel.StorefrontEvent) (map[clientKey][]visitRow, error) {
	shops := make([]int64, len(clients))
	ids := make([]string, len(clients))
	los := make([]time.Time, len(clients))
	his := make([]time.Time, len(clients))
	for i, ck := range clients {
		evs := byClient[ck]
		lo, hi := evs[0].At, evs[0].At
		for _, e := range evs {
			if e.At.Before(lo) {
				lo = e.At
			}
			if e.At.After(hi) {
				hi = e.At
			}
		}
		shops[i], ids[i], los[i], his[i] = ck.shop, ck.id, utc(lo.Add(-funnel.VisitGap)), utc(hi.Add(funnel.VisitGap))
	}
	rows, err := tx.Query(ctx, `SELECT v.id, v.shop_id, v.client_id, v.summary, v.completed_by_order
		FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS q (shop_id, client_id, lo, hi)
		JOIN visits v ON v.shop_id = q.shop_id AND v.client_id = q.client_id AND v.started_at <= q.hi AND v.ended_at >= q.lo
		ORDER BY v.shop_id, v.client_id, v.started_at, v.id`, shops, ids, los, his)
	if err != nil {
		return nil, fmt.Errorf("loading the visits of %d clients: %w", len(clients), err)
	}
	out := map[clientKey][]visitRow{}
	var r visitRow
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.ShopID, &r.ClientID, &r.Summary, &r.CompletedByOrder}, func() error {
		k := clientKey{r.ShopID, r.ClientID}
		out[k] = append(out[k], r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading the visits of %d clients: %w", len(clients), err)
	}
	return out, nil
}

// visitWrites is what a group's folds change in visits: the rows to
// delete, the rows rewritten in place under a dropped visit's id, the new
// rows, and the tokens and products of both.
type visitWrites struct {
	drop     []int64 // and their shops, for the tokens' and products' keys
	dropShop []int64
	update   []visitRow
	insert   []visitRow
	// same holds the reused ids whose tokens and products the rewrite
	// leaves as they were (a visit that grew by a page view): kept, not
	// deleted and copied again.
	same map[int64]bool
}

// add records one client's refold: each written visit takes the id of a
// dropped one while there are some (the visit that grew keeps its row);
// byOrder says which count completed by an order (countRefold).
func (w *visitWrites) add(shopID int64, drop []visitRow, write []funnel.Visit, byOrder []bool, now time.Time) error {
	for i, v := range write {
		row, err := newVisitRow(shopID, v, byOrder[i], now)
		if err != nil {
			return err
		}
		if i < len(drop) {
			row.ID = drop[i].ID
			w.update = append(w.update, row)
			if sameChildren(drop[i].folded, v) {
				if w.same == nil {
					w.same = map[int64]bool{}
				}
				w.same[row.ID] = true
			}
		} else {
			w.insert = append(w.insert, row)
		}
	}
	for _, r := range drop {
		w.dropShop = append(w.dropShop, shopID)
		w.drop = append(w.drop, r.ID)
	}
	return nil
}

// apply writes the changes: tokens and products of every changed id
// deleted, the visits dropped without a successor deleted, the reused ids
// updated, ids taken for the new visits and those copied, then the tokens
// and products of every written visit copied.
func (w *visitWrites) apply(ctx context.Context, tx pgx.Tx) error {
	var shops, ids []int64
	for i, id := range w.drop {
		if !w.same[id] {
			shops, ids = append(shops, w.dropShop[i]), append(ids, id)
		}
	}
	if len(ids) > 0 {
		for _, table := range []string{"visit_tokens", "visit_products"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE (shop_id, visit_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))`,
				shops, ids); err != nil {
				return fmt.Errorf("replacing the visits' %s: %w", table, err)
			}
		}
	}
	if gone := w.gone(); len(gone) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM visits WHERE id = ANY($1::bigint[])`, gone); err != nil {
			return fmt.Errorf("deleting merged visits: %w", err)
		}
	}
	if len(w.update) > 0 {
		if err := pgUpdateVisits(ctx, tx, w.update); err != nil {
			return err
		}
	}
	if len(w.insert) > 0 {
		if err := pgCopyVisits(ctx, tx, w.insert); err != nil {
			return err
		}
	}
	changed := slices.DeleteFunc(slices.Clone(w.update), func(r visitRow) bool { return w.same[r.ID] })
	return pgCopyVisitChildren(ctx, tx, slices.Concat(changed, w.insert))
}

// gone is the dropped ids no written visit took.
func (w *visitWrites) gone() []int64 {
	reused := make(map[int64]bool, len(w.update))
	for _, r := range w.update {
		reused[r.ID] = true
	}
	var out []int64
	for _, id := range w.drop {
		if !reused[id] {
			out = append(out, id)
		}
	}
	return out
}

// pgUpdateVisits rewrites rows in place, by id, in one statement.
func pgUpdateVisits(ctx context.Context, tx pgx.Tx, rows []visitRow) error {
	n := len(rows)
	ids, starts, ends, quarters := make([]int64, n), make([]time.Time, n), make([]time.Time, n), make([]int64, n)
	devices, landings, sources, summaries := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	stages, bots, updated, byOrder := make([]int32, n), make([]bool, n), make([]time.Time, n), make([]bool, n)
	for i, r := range rows {
		ids[i], starts[i], ends[i], quarters[i] = r.ID, r.StartedAt, r.EndedAt, r.Quarter
		devices[i], landings[i], sources[i], summaries[i] = r.Device, r.LandingPageType, r.Source, r.Summary
		stages[i], bots[i], updated[i], byOrder[i] = int32(r.FurthestStage), r.Bot, r.UpdatedAt, r.CompletedByOrder
	}
	_, err := tx.Exec(ctx, `UPDATE visits v SET started_at = u.started_at, ended_at = u.ended_at, quarter = u.quarter,
			device = u.device, landing_page_type = u.landing_page_type, source = u.source, furthest_stage = u.furthest_stage,
			bot = u.bot, summary = u.summary, updated_at = u.updated_at, completed_by_order = u.completed_by_order
		FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::bigint[], $5::text[], $6::text[], $7::text[],
			$8::int[], $9::bool[], $10::text[], $11::timestamptz[], $12::bool[])
			AS u (id, started_at, ended_at, quarter, device, landing_page_type, source, furthest_stage, bot, summary, updated_at,
				completed_by_order)
		WHERE v.id = u.id`, ids, starts, ends, quarters, devices, landings, sources, stages, bots, summaries, updated, byOrder)
	if err != nil {
		return fmt.Errorf("updating %d visits: %w", n, err)
	}
	return nil
}

// pgCopyVisits takes ids for rows from the visits' sequence and copies
// them in.
func pgCopyVisits(ctx context.Context, tx pgx.Tx, rows []visitRow) error {
	got, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('visits', 'id')) FROM generate_series(1, $1::int)`, len(rows))
	if err != nil {
		return fmt.Errorf("taking ids for %d visits: %w", len(rows), err)
	}
	i := 0
	var id int64
	if _, err := pgx.ForEachRow(got, []any{&id}, func() error { rows[i].ID = id; i++; return nil }); err != nil {
		return fmt.Errorf("taking ids for %d visits: %w", len(rows), err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"visits"},
		[]string{"id", "shop_id", "client_id", "started_at", "ended_at", "quarter", "device", "landing_page_type", "source",
			"furthest_stage", "bot", "summary", "updated_at", "completed_by_order"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := rows[i]
			return []any{r.ID, r.ShopID, r.ClientID, r.StartedAt, r.EndedAt, r.Quarter, r.Device, r.LandingPageType, r.Source,
				int32(r.FurthestStage), r.Bot, r.Summary, r.UpdatedAt, r.CompletedByOrder}, nil
		}))
	if err != nil {
		return fmt.Errorf("copying %d visits: %w", len(rows), err)
	}
	return nil
}

// pgCopyVisitChildren copies the tokens and products of rows' visits.
func pgCopyVisitChildren(ctx context.Context, tx pgx.Tx, rows []visitRow) error {
	var tokens, products [][]any
	for _, r := range rows {
		tokens = append(tokens, VisitTokenValues(r.ShopID, r.ID, r.folded)...)
		for _, p := range visitProductRows(r.folded) {
			products = append(products, p.values(r.ShopID, r.ID, r.folded))
		}
	}
	if len(tokens) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"visit_tokens"}, VisitTokenColumns, pgx.CopyFromRows(tokens)); err != nil {
			return fmt.Errorf("copying %d visit tokens: %w", len(tokens), err)
		}
	}
	if len(products) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"visit_products"}, visitProductColumns, pgx.CopyFromRows(products)); err != nil {
			return fmt.Errorf("copying %d visit products: %w", len(products), err)
		}
	}
	return nil
}

// pgCheckoutsCompleted locks a group's checkout tokens ts (of the visits
// its folds drop and write, pgLockCheckouts), then reads again whether the
// rollups count each dropped visit (drops, by client) completed by an
// order, which an order's webhook may have changed since they were
// loaded, and returns which of the tokens a completed session carries.
func pgCheckoutsCompleted(ctx context.Context, tx pgx.Tx, ts []shopToken, drops [][]visitRow) (map[shopToken]bool, error) {
	completed := map[shopToken]bool{}
	if len(ts) == 0 {
		return completed, nil
	}
	if _, err := tx.Exec(ctx, pgLockCheckouts, checkoutLockKeys(ts)); err != nil {
		return nil, fmt.Errorf("locking the visits' checkouts: %w", err)
	}
	var ids []int64
	for _, drop := range drops {
		for _, r := range drop {
			ids = append(ids, r.ID)
		}
	}
	byOrder := map[int64]bool{}
	if len(ids) > 0 {
		got, err := tx.Query(ctx, `SELECT id FROM visits WHERE id = ANY($1::bigint[]) AND completed_by_order`, ids)
		if err != nil {
			return nil, fmt.Errorf("reading the dropped visits' orders: %w", err)
		}
		var id int64
		if _, err := pgx.ForEachRow(got, []any{&id}, func() error { byOrder[id] = true; return nil }); err != nil {
			return nil, fmt.Errorf("reading the dropped visits' orders: %w", err)
		}
		for _, drop := range drops {
			for i := range drop {
				drop[i].CompletedByOrder = byOrder[drop[i].ID]
			}
		}
	}
	shops, tokens := shopTokenArrays(ts)
	got, err := tx.Query(ctx, `SELECT DISTINCT s.shop_id, s.checkout_token FROM unnest($1::bigint[], $2::text[]) AS q (shop_id, token)
		JOIN sessions s ON s.shop_id = q.shop_id AND s.checkout_token = q.token AND s.completed_at IS NOT NULL`, shops, tokens)
	if err != nil {
		return nil, fmt.Errorf("finding the visits' completed checkouts: %w", err)
	}
	var t shopToken
	if _, err := pgx.ForEachRow(got, []any{&t.shop, &t.token}, func() error { completed[t] = true; return nil }); err != nil {
		return nil, fmt.Errorf("finding the visits' completed checkouts: %w", err)
	}
	return completed, nil
}
