package store

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// rollupShards is how many session_rollups rows share one shop, day and
// key: a session counts in shard sample % rollupShards.
const rollupShards = 8

// rollupKey is a session_rollups row.
type rollupKey struct {
	shop      int64
	day       int64
	furthest  int
	recovered int
	currency  string
	shard     int64
}

// rollupDeltas are the changes a transaction makes to session_rollups:
// sessions and value per row.
type rollupDeltas map[rollupKey][2]int64

// add counts row sign times (+1 written, -1 replaced or deleted).
func (d rollupDeltas) add(r sessionRow, sign int64) {
	k := rollupKey{shop: r.ShopID, day: dayNumber(r.StartedAt), furthest: r.FurthestStage, currency: r.Currency,
		shard: int64(r.Sample % rollupShards)}
	if r.CompletedAt != nil && r.AbandonedAt != nil {
		k.recovered = 1
	}
	v := d[k]
	v[0] += sign
	v[1] += sign * r.Value
	d[k] = v
}

// dayNumber is the UTC day of t as days since 1970-01-01, the day column of
// session_rollups.
func dayNumber(t time.Time) int64 {
	sec := t.Unix()
	day := sec / 86400
	if sec%86400 < 0 {
		day--
	}
	return day
}

// sorted returns the keys with a non-zero delta in key order: the order
// in which every transaction updates the rows, so that concurrent ones
// cannot deadlock on them.
func (d rollupDeltas) sorted() []rollupKey {
	keys := make([]rollupKey, 0, len(d))
	for k, v := range d {
		if v != [2]int64{} {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.day, b.day), cmp.Compare(a.furthest, b.furthest),
			cmp.Compare(a.recovered, b.recovered), strings.Compare(a.currency, b.currency), cmp.Compare(a.shard, b.shard))
	})
	return keys
}

// rollupUpsert is the tail of the statement that adds deltas to
// session_rollups.
const rollupUpsert = ` ON CONFLICT (shop_id, day, furthest_stage, recovered, currency, shard) DO UPDATE
	SET sessions = session_rollups.sessions + excluded.sessions, value = session_rollups.value + excluded.value`

// sql returns a multi-row statement that adds the deltas to
// session_rollups; "" when there are none.
func (d rollupDeltas) sql() (string, []any) {
	keys := d.sorted()
	if len(keys) == 0 {
		return "", nil
	}
	args := make([]any, 0, 8*len(keys))
	for _, k := range keys {
		v := d[k]
		args = append(args, k.shop, k.day, k.furthest, k.recovered, k.currency, k.shard, v[0], v[1])
	}
	return "INSERT INTO session_rollups (shop_id, day, furthest_stage, recovered, currency, shard, sessions, value) VALUES " +
		valueRows(len(keys), 8) + rollupUpsert, args
}
