package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// The orders' part of the storefront rollups, kept at write time: a visit
// that carried the checkout token of a completed funnel session counts as
// the completed visit funnel.Visit.CompleteByOrder makes of it (Visits'
// rule), whichever of the two was written first. The transaction that
// writes the second moves the visit's counts: the order's webhook
// (completeVisitsByOrders, pgCompleteVisitsByOrders) or the /collect batch
// that writes the visit (countRefold). visits.completed_by_order says the
// rollups count the visit so: it is moved once, and taken out as counted.

// countedVisit is v as the storefront rollups count it: completed by an
// order (whatever the order's time) when byOrder, as the pixel saw it
// otherwise.
func countedVisit(v funnel.Visit, byOrder bool) funnel.Visit {
	if byOrder && len(v.CheckoutTokens) > 0 {
		v, _ = v.CompleteByOrder(v.CheckoutTokens[0], time.Time{})
	}
	return v
}

// completedSessionOf is the condition that a completed funnel session of
// the visit token vt's shop carries its token (sessions_completed_checkout).
const completedSessionOf = `EXISTS (SELECT 1 FROM sessions s
	WHERE s.shop_id = vt.shop_id AND s.checkout_token = vt.token AND s.completed_at IS NOT NULL)`

// orderMoves is what completing rows (stored visits the rollups count as
// the pixel saw them) changes in the rollups, and their ids.
func orderMoves(rows []visitRow) (*storefrontDeltas, []int64, error) {
	d := newStorefrontDeltas()
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		v, err := r.visit()
		if err != nil {
			return nil, nil, err
		}
		d.add(r.ShopID, v, -1)
		d.add(r.ShopID, countedVisit(v, true), 1)
		ids = append(ids, r.ID)
	}
	return d, ids, nil
}

// completeVisitsByOrders moves, in the transaction tx, the rollup counts of
// the shop's visits not yet counted completed whose checkout token a
// completed session carries (only among tokens, unless nil: every such
// visit of the shop) to their completed selves, and marks them. SQLite's
// webhook ingest runs it for the checkouts its batch completed; Migrate,
// RebuildStorefrontRollups and the benchmark's load for every visit.
func completeVisitsByOrders(tx *gorm.DB, shopID int64, tokens []string) error {
	q := `SELECT DISTINCT v.id, v.shop_id, v.summary FROM visit_tokens vt
		JOIN visits v ON v.id = vt.visit_id AND v.shop_id = vt.shop_id
		WHERE vt.shop_id = ? AND vt.kind = 'checkout' AND NOT v.completed_by_order AND ` + completedSessionOf
	var rows []visitRow
	if tokens == nil {
		if err := tx.Raw(q, shopID).Scan(&rows).Error; err != nil {
			return fmt.Errorf("finding the visits orders completed: %w", err)
		}
	}
	for chunk := range slices.Chunk(tokens, 5000) {
		var got []visitRow
		if err := tx.Raw(q+` AND vt.token IN ?`, shopID, chunk).Scan(&got).Error; err != nil {
			return fmt.Errorf("finding the visits orders completed: %w", err)
		}
		rows = append(rows, got...)
	}
	slices.SortFunc(rows, func(a, b visitRow) int { return cmp.Compare(a.ID, b.ID) })
	rows = slices.CompactFunc(rows, func(a, b visitRow) bool { return a.ID == b.ID })
	if len(rows) == 0 {
		return nil
	}
	d, ids, err := orderMoves(rows)
	if err != nil {
		return err
	}
	if err := d.apply(tx); err != nil {
		return err
	}
	for chunk := range slices.Chunk(ids, 5000) {
		if err := tx.Exec(`UPDATE visits SET completed_by_order = ? WHERE shop_id = ? AND id IN ?`, true, shopID, chunk).Error; err != nil {
			return fmt.Errorf("marking the visits orders completed: %w", err)
		}
	}
	return nil
}

// completedCheckouts are the checkout tokens of the sessions that the
// writes complete (a session stored completed with the same token before
// needs nothing), each once, sorted.
func (w sessionWrites) completedCheckouts(stored []sessionRow) []shopToken {
	was := map[int64]sessionRow{}
	for _, r := range stored {
		was[r.ID] = r
	}
	var out []shopToken
	for _, r := range slices.Concat(w.updates, w.inserts) {
		if r.s.CompletedAt == nil || r.s.CheckoutToken == "" {
			continue
		}
		if o, ok := was[r.ID]; ok && r.ID != 0 && o.s.CompletedAt != nil && o.s.CheckoutToken == r.s.CheckoutToken {
			continue
		}
		out = append(out, shopToken{r.ShopID, r.s.CheckoutToken})
	}
	return sortedTokens(out)
}

// sortedTokens sorts ts and drops the repeats.
func sortedTokens(ts []shopToken) []shopToken {
	slices.SortFunc(ts, func(a, b shopToken) int {
		return cmp.Or(cmp.Compare(a.shop, b.shop), strings.Compare(a.token, b.token))
	})
	return slices.Compact(ts)
}

// tokensByShop groups ts (sorted) by shop.
func tokensByShop(ts []shopToken) map[int64][]string {
	out := map[int64][]string{}
	for _, t := range ts {
		out[t.shop] = append(out[t.shop], t.token)
	}
	return out
}

// pgLockCheckouts is the advisory transaction locks of checkout tokens
// ("shop:token"), in one global order: the order's webhook and /collect
// take them before they read what the other writes (the sessions a token
// completes, the visits that carry it), each in a statement of its own
// after the lock's, so that whichever commits second sees the first.
var pgLockCheckouts = pgXactLocks("funnelscope.checkout")

// checkoutLockKeys are the lock keys of ts.
func checkoutLockKeys(ts []shopToken) []string {
	keys := make([]string, len(ts))
	for i, t := range ts {
		keys[i] = strconv.FormatInt(t.shop, 10) + ":" + t.token
	}
	return keys
}

// shopTokenArrays is ts as two parallel arrays.
func shopTokenArrays(ts []shopToken) ([]int64, []string) {
	shops, tokens := make([]int64, len(ts)), make([]string, len(ts))
	for i, t := range ts {
		shops[i], tokens[i] = t.shop, t.token
	}
	return shops, tokens
}

// pgExecer is what pgApply writes through: a pgx transaction, or a
// connection inside one.
type pgExecer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// pgCompleteVisitsByOrders is completeVisitsByOrders for PostgreSQL's
// webhook ingest, on its connection c inside the transaction that wrote
// the sessions completing the checkouts ts: it locks them, reads the
// visits that carry them and are not counted completed, moves their counts
// and marks them.
func pgCompleteVisitsByOrders(ctx context.Context, c *pgx.Conn, ts []shopToken) error {
	if _, err := c.Exec(ctx, pgLockCheckouts, checkoutLockKeys(ts)); err != nil {
		return fmt.Errorf("locking the completed checkouts: %w", err)
	}
	shops, tokens := shopTokenArrays(ts)
	got, err := c.Query(ctx, `SELECT DISTINCT v.id, v.shop_id, v.summary
		FROM unnest($1::bigint[], $2::text[]) AS q (shop_id, token)
		JOIN visit_tokens vt ON vt.shop_id = q.shop_id AND vt.token = q.token AND vt.kind = 'checkout'
		JOIN visits v ON v.id = vt.visit_id AND v.shop_id = vt.shop_id
		WHERE NOT v.completed_by_order AND `+completedSessionOf+` ORDER BY v.id`, shops, tokens)
	if err != nil {
		return fmt.Errorf("finding the visits orders completed: %w", err)
	}
	var rows []visitRow
	var r visitRow
	if _, err := pgx.ForEachRow(got, []any{&r.ID, &r.ShopID, &r.Summary}, func() error { rows = append(rows, r); return nil }); err != nil {
		return fmt.Errorf("finding the visits orders completed: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	d, ids, err := orderMoves(rows)
	if err != nil {
		return err
	}
	if err := d.pgApply(ctx, c); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, `UPDATE visits SET completed_by_order = true WHERE id = ANY($1::bigint[])`, ids); err != nil {
		return fmt.Errorf("marking the visits orders completed: %w", err)
	}
	return nil
}

// checkoutsOfRefold are the checkout tokens of a refold's dropped and
// written visits, each once, sorted.
func checkoutsOfRefold(shopID int64, drop []visitRow, write []funnel.Visit) []shopToken {
	var out []shopToken
	for _, r := range drop {
		for _, t := range r.folded.CheckoutTokens {
			out = append(out, shopToken{shopID, t})
		}
	}
	for _, v := range write {
		for _, t := range v.CheckoutTokens {
			out = append(out, shopToken{shopID, t})
		}
	}
	return out
}

// countRefold records in d what a client's refold changes in the rollups:
// each dropped visit's counts out as counted (its row's completed_by_order),
// each written one's in, completed by an order when a completed session
// (completed) carries one of its checkout tokens. It returns, for each
// written visit, whether it counts so.
func countRefold(d *storefrontDeltas, shopID int64, drop []visitRow, write []funnel.Visit, completed map[shopToken]bool) []bool {
	for _, r := range drop {
		d.add(shopID, countedVisit(r.folded, r.CompletedByOrder), -1)
	}
	byOrder := make([]bool, len(write))
	for i, v := range write {
		byOrder[i] = slices.ContainsFunc(v.CheckoutTokens, func(t string) bool { return completed[shopToken{shopID, t}] })
		d.add(shopID, countedVisit(v, byOrder[i]), 1)
	}
	return byOrder
}
