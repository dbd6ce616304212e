package store

import (
	"strconv"
	"strings"
	"time"
)

// deliveryInsert is one row of INSERT INTO deliveries before it becomes
// column values: a delivery with what the store adds to it.
type deliveryInsert struct {
	shopID   *int64
	d        *Delivery
	received time.Time
	ingested bool
	reason   string
}

// deliveryColumn is one column of INSERT INTO deliveries: its name, its
// PostgreSQL type (pgInsertDeliveries passes each column as an array of
// it), and what it gets from a row, as one value or as the column's array.
type deliveryColumn struct {
	name, pgType string
	value        func(r *deliveryInsert) any
	array        func(rows []deliveryInsert) any
}

// column makes a deliveryColumn whose values are get's. The array is of
// get's type, so that pgx encodes it without reflection.
func column[T any](name, pgType string, get func(r *deliveryInsert) T) deliveryColumn {
	return deliveryColumn{
		name: name, pgType: pgType,
		value: func(r *deliveryInsert) any { return get(r) },
		array: func(rows []deliveryInsert) any {
			out := make([]T, len(rows))
			for i := range rows {
				out[i] = get(&rows[i])
			}
			return out
		},
	}
}

// deliveryColumns are the columns every INSERT INTO deliveries writes, in
// order, and the one place that says what each gets from a delivery:
// insertDelivery, sqliteInsertDeliveries and pgInsertDeliveries are built
// from them.
func deliveryColumns() []deliveryColumn {
	return []deliveryColumn{
		column("shop_id", "bigint", func(r *deliveryInsert) *int64 { return r.shopID }),
		// An empty webhook id is NULL, which never conflicts: such a
		// delivery is never deduplicated.
		column("webhook_id", "text", func(r *deliveryInsert) *string { return nullString(r.d.WebhookID) }),
		column("event_id", "text", func(r *deliveryInsert) string { return r.d.EventID }),
		column("topic", "text", func(r *deliveryInsert) string { return r.d.Topic }),
		column("shop_domain", "text", func(r *deliveryInsert) string { return normDomain(r.d.ShopDomain) }),
		column("api_version", "text", func(r *deliveryInsert) string { return r.d.APIVersion }),
		column("triggered_at", "timestamptz", func(r *deliveryInsert) *time.Time { return utcPtr(r.d.TriggeredAt) }),
		column("received_at", "timestamptz", func(r *deliveryInsert) time.Time { return r.received }),
		column("payload", "bytea", func(r *deliveryInsert) []byte { return payloadBytes(r.d.Payload) }),
		column("ingested", "boolean", func(r *deliveryInsert) bool { return r.ingested }),
		column("reason", "text", func(r *deliveryInsert) string { return storableText(r.reason, maxReasonBytes) }),
	}
}

// deliveryDedupe is the deduplication of deliveries by webhook id, in every
// INSERT INTO deliveries: a redelivery inserts nothing. newBatchDeliveries
// is its twin within one batch.
const deliveryDedupe = "ON CONFLICT (webhook_id) DO NOTHING"

// insertDeliveries is the head of every INSERT INTO deliveries, up to its
// rows.
func insertDeliveries() string {
	names := make([]string, 0, len(deliveryColumns()))
	for _, c := range deliveryColumns() {
		names = append(names, c.name)
	}
	return "INSERT INTO deliveries (" + strings.Join(names, ", ") + ") "
}

// deliveryValues are rows' parameters for a VALUES list, row by row.
func deliveryValues(rows []deliveryInsert) []any {
	cols := deliveryColumns()
	args := make([]any, 0, len(rows)*len(cols))
	for i := range rows {
		for _, c := range cols {
			args = append(args, c.value(&rows[i]))
		}
	}
	return args
}

// deliveriesValuesSQL inserts n rows given as parameters, row by row
// (deliveryValues), returning returning.
func deliveriesValuesSQL(n int, returning string) string {
	return insertDeliveries() + "VALUES " + valueRows(n, len(deliveryColumns())) + " " + deliveryDedupe + " RETURNING " + returning
}

// insertDeliverySQL inserts one row and returns its id.
var insertDeliverySQL = deliveriesValuesSQL(1, "id")

// pgInsertDeliveries inserts rows given as one array per column
// (deliveryArrays). Its text is the same for every batch, so pgx prepares
// it once per connection.
var pgInsertDeliveries = func() string {
	arrays := make([]string, 0, len(deliveryColumns()))
	for i, c := range deliveryColumns() {
		arrays = append(arrays, "$"+strconv.Itoa(i+1)+"::"+c.pgType+"[]")
	}
	return insertDeliveries() + "SELECT * FROM unnest(" + strings.Join(arrays, ", ") + ") " + deliveryDedupe + " RETURNING webhook_id"
}()

// deliveryArrays are the arguments of pgInsertDeliveries for rows.
func deliveryArrays(rows []deliveryInsert) []any {
	cols := deliveryColumns()
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = c.array(rows)
	}
	return args
}

// payloadBytes is the payload column of a delivery: the body, never NULL
// until purged.
func payloadBytes(p []byte) []byte {
	if p == nil {
		return []byte{}
	}
	return p
}

// nullString is s, or NULL when empty.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// newBatchDeliveries returns the rows a batch inserts into deliveries (the
// first delivery of each webhook id, and each one without: a NULL id never
// conflicts), the index of each webhook id's first item, and which items
// count as inserted before the statement runs: those without a webhook id.
// An item that repeats an earlier one's webhook id gets no row; it is a
// duplicate, as deliveryDedupe would make it against a recorded delivery.
func newBatchDeliveries(items []IngestItem, now time.Time) (rows []deliveryInsert, first map[string]int, inserted []bool) {
	inserted = make([]bool, len(items))
	first = make(map[string]int, len(items))
	for i := range items {
		it := &items[i]
		id := it.Delivery.WebhookID
		if id == "" {
			inserted[i] = true
		} else if _, seen := first[id]; seen {
			continue
		} else {
			first[id] = i
		}
		rows = append(rows, deliveryInsert{shopID: &it.ShopID, d: &it.Delivery, received: now, ingested: it.Event != nil})
	}
	return rows, first, inserted
}

// rowScanner is what markInserted reads: database/sql's rows or pgx's.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// markInserted reads the webhook ids an INSERT … RETURNING webhook_id
// returned into inserted.
func markInserted(rows rowScanner, first map[string]int, inserted []bool) error {
	for rows.Next() {
		var id *string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if id == nil {
			continue
		}
		if i, ok := first[*id]; ok {
			inserted[i] = true
		}
	}
	return rows.Err()
}
