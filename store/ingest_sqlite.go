package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ingestSQLite is IngestEvents' transaction on SQLite, in multi-row
// statements with a parameter per value. BEGIN IMMEDIATE has serialised
// the writers, so it takes no locks of its own. It reports which
// deliveries were inserted.
func ingestSQLite(tx *gorm.DB, b *ingestBatch) ([]bool, error) {
	inserted, err := sqliteInsertDeliveries(tx, b.items, b.now)
	if err != nil {
		return nil, fmt.Errorf("recording deliveries: %w", err)
	}
	rows, err := sqliteLoadSessions(tx, b.lookup())
	if err != nil {
		return nil, fmt.Errorf("finding sessions: %w", err)
	}
	w, err := b.apply(rows, inserted)
	if err != nil {
		return nil, fmt.Errorf("applying events: %w", err)
	}
	if err := sqliteWrite(tx, w); err != nil {
		return nil, fmt.Errorf("writing sessions: %w", err)
	}
	byShop := tokensByShop(w.completedCheckouts(rows))
	for _, shopID := range slices.Sorted(maps.Keys(byShop)) {
		if err := completeVisitsByOrders(tx, shopID, byShop[shopID]); err != nil {
			return nil, fmt.Errorf("completing visits by orders: %w", err)
		}
	}
	paid, gone := w.paymentTokens()
	if err := sqliteSessionPayments(tx, paid, gone); err != nil {
		return nil, err
	}
	return inserted, nil
}

// sqliteInsertDeliveries records the deliveries not yet recorded and
// reports which were inserted.
func sqliteInsertDeliveries(tx *gorm.DB, items []IngestItem, now time.Time) ([]bool, error) {
	insert, first, inserted := newBatchDeliveries(items, now)
	for chunk := range slices.Chunk(insert, sqliteRowsPerStatement(len(deliveryColumns()))) {
		if err := sqliteInsertDeliveryRows(tx, chunk, first, inserted); err != nil {
			return nil, err
		}
	}
	return inserted, nil
}

// sqliteInsertDeliveryRows inserts rows in one statement and marks in
// inserted those it inserted.
func sqliteInsertDeliveryRows(tx *gorm.DB, rows []deliveryInsert, first map[string]int, inserted []bool) error {
	res, err := tx.Raw(deliveriesValuesSQL(len(rows), "webhook_id"), deliveryValues(rows)...).Rows()
	if err != nil {
		return err
	}
	defer func() { _ = res.Close() }()
	return markInserted(res, first, inserted)
}

// sqliteLoadSessions reads the sessions that q finds, in id order.
func sqliteLoadSessions(tx *gorm.DB, q sessionLookup) ([]sessionRow, error) {
	columns := [3]string{"session_key", "checkout_token", "cart_token"}
	byShop := map[int64]*[3][]string{}
	for c, list := range [3][]shopToken{q.keys, q.checkouts, q.carts} {
		for _, t := range list {
			if byShop[t.shop] == nil {
				byShop[t.shop] = &[3][]string{}
			}
			byShop[t.shop][c] = append(byShop[t.shop][c], t.token)
		}
	}
	if len(byShop) == 0 {
		return nil, nil
	}
	var conds []string
	var args []any
	for _, shopID := range slices.Sorted(maps.Keys(byShop)) {
		args = append(args, shopID)
		var or []string
		for c, tokens := range byShop[shopID] {
			if len(tokens) > 0 {
				or = append(or, columns[c]+" IN ?")
				args = append(args, tokens)
			}
		}
		conds = append(conds, "(shop_id = ? AND ("+strings.Join(or, " OR ")+"))")
	}
	return findSessions(tx.Table("sessions").Where(strings.Join(conds, " OR "), args...).Order("id"))
}

// sqliteWrite applies w, in the order of queueWrites.
func sqliteWrite(tx *gorm.DB, w sessionWrites) error {
	if err := sqliteTimelineMoves(tx, w.timeline); err != nil {
		return err
	}
	for shopID, ids := range w.deleted {
		if err := tx.Exec("DELETE FROM sessions WHERE shop_id = ? AND id IN ?", shopID, ids).Error; err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(w.updates, sqliteRowsPerStatement(sessionWidth(true))) {
		q, args := sessionValues(chunk, true)
		if err := tx.Exec(q+sessionUpsert, args...).Error; err != nil {
			return err
		}
	}
	for chunk := range slices.Chunk(w.inserts, sqliteRowsPerStatement(sessionWidth(false))) {
		q, args := sessionValues(chunk, false)
		if err := tx.Exec(q, args...).Error; err != nil {
			return err
		}
	}
	if err := sqliteTimelineRows(tx, w.timeline); err != nil {
		return err
	}
	return execAll(tx, slices.Concat(w.deltas.sqliteStatements(), w.payments.sqliteStatements()))
}

// sessionUpsert is the tail of sessionValues that overwrites stored
// sessions: an upsert on the primary key overwrites many rows in one
// statement; every row exists, so it never inserts.
var sessionUpsert = " ON CONFLICT (id) DO UPDATE SET " + assignments(sessionColumns(), "excluded.") + " WHERE sessions.shop_id = excluded.shop_id"

// sessionValues returns a multi-row INSERT INTO sessions of rows, with
// their ids when withID.
func sessionValues(rows []sessionRow, withID bool) (string, []any) {
	cols := sessionInsertColumns(withID)
	args := make([]any, 0, len(rows)*len(cols))
	for i := range rows {
		r := &rows[i]
		if withID {
			args = append(args, r.ID)
		}
		args = r.appendValues(append(args, r.ShopID, r.CreatedAt))
	}
	return "INSERT INTO sessions (" + strings.Join(cols, ", ") + ") VALUES " + valueRows(len(rows), len(cols)), args
}

// sessionInsertColumns are the columns sessionValues writes.
func sessionInsertColumns(withID bool) []string {
	cols := append([]string{"shop_id", "created_at"}, sessionColumns()...)
	if withID {
		cols = append([]string{"id"}, cols...)
	}
	return cols
}

// sessionWidth is how many arguments a row of sessionValues has.
func sessionWidth(withID bool) int { return len(sessionInsertColumns(withID)) }

// valueRows is the VALUES list of a multi-row statement: n rows of width
// parameters each.
func valueRows(n, width int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
