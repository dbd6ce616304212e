package store

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// paymentKey is a payment_rollups row: a shop's sessions at payment that
// started in one bucket of a span (storefrontSpans: a UTC quarter-hour or
// day), of one country and gateway (the sessions' own), completed or not.
type paymentKey struct {
	shop, span, bucket int64
	country, gateway   string
	completed          bool
}

// paymentDeltas are the changes a transaction makes to payment_rollups.
type paymentDeltas map[paymentKey]int64

// add counts the shop's session s sign times (+1 written, -1 replaced or
// deleted), in each span, when it is at payment (atPayment).
func (d paymentDeltas) add(shopID int64, s funnel.Session, sign int64) {
	if !atPaymentStep(s) {
		return
	}
	for _, span := range storefrontSpans {
		d[paymentKey{shopID, span, bucketOf(s.StartedAt.Unix(), span), s.Country, s.Gateway, s.Completed()}] += sign
	}
}

// sorted returns the keys with a non-zero delta in key order, the order in
// which every transaction updates the rows (as rollupDeltas.sorted).
func (d paymentDeltas) sorted() []paymentKey {
	keys := make([]paymentKey, 0, len(d))
	for k, n := range d {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b paymentKey) int {
		return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.span, b.span), cmp.Compare(a.bucket, b.bucket), strings.Compare(a.country, b.country),
			strings.Compare(a.gateway, b.gateway), boolCompare(a.completed, b.completed))
	})
	return keys
}

// boolCompare orders false before true.
func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

// paymentUpsert is the tail of the statement that adds deltas to
// payment_rollups.
const paymentUpsert = ` ON CONFLICT (shop_id, span, bucket, country, gateway, completed)
	DO UPDATE SET sessions = payment_rollups.sessions + excluded.sessions`

// pgQueue queues the deltas' upsert, in key order, on a pipeline; nothing
// when there are none.
func (d paymentDeltas) pgQueue(p *pipeline) {
	keys := d.sorted()
	if len(keys) == 0 {
		return
	}
	n := len(keys)
	shops, spans, buckets, countries, gateways, completed, sessions := make([]int64, n), make([]int64, n), make([]int64, n),
		make([]string, n), make([]string, n), make([]bool, n), make([]int64, n)
	for i, k := range keys {
		shops[i], spans[i], buckets[i], countries[i], gateways[i], completed[i], sessions[i] = k.shop, k.span, k.bucket,
			k.country, k.gateway, k.completed, d[k]
	}
	p.exec(`INSERT INTO payment_rollups (shop_id, span, bucket, country, gateway, completed, sessions)
		SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::text[], $5::text[], $6::boolean[], $7::bigint[])`+paymentUpsert,
		shops, spans, buckets, countries, gateways, completed, sessions)
}

// sqliteStatements returns the multi-row statements that add the deltas
// on SQLite, in key order; none when there are none.
func (d paymentDeltas) sqliteStatements() []statement {
	const width = 7
	var out []statement
	for chunk := range slices.Chunk(d.sorted(), sqliteRowsPerStatement(width)) {
		args := make([]any, 0, width*len(chunk))
		for _, k := range chunk {
			args = append(args, k.shop, k.span, k.bucket, k.country, k.gateway, k.completed, d[k])
		}
		out = append(out, statement{"INSERT INTO payment_rollups (shop_id, span, bucket, country, gateway, completed, sessions) VALUES " +
			valueRows(len(chunk), width) + paymentUpsert, args})
	}
	return out
}

// rebuildPaymentRollups recomputes the shop's payment_rollups from its
// sessions in the transaction tx; bucket is the dialect's SQL of a
// session's bucket of a span (Store.bucketSQL).
func rebuildPaymentRollups(tx *gorm.DB, shopID int64, bucket func(span int64) string) error {
	if err := tx.Exec("DELETE FROM payment_rollups WHERE shop_id = ?", shopID).Error; err != nil {
		return fmt.Errorf("deleting the payment rollups: %w", err)
	}
	for _, span := range storefrontSpans {
		err := tx.Exec(`INSERT INTO payment_rollups (shop_id, span, bucket, country, gateway, completed, sessions)
			SELECT shop_id, `+strconv.FormatInt(span, 10)+`, `+bucket(span)+`, country, gateway, completed_at IS NOT NULL, COUNT(*)
			FROM sessions WHERE shop_id = ? AND `+atPayment+` GROUP BY 1, 2, 3, 4, 5, 6`, shopID).Error
		if err != nil {
			return fmt.Errorf("summing the payment rollups: %w", err)
		}
	}
	return nil
}
