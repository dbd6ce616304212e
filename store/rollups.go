package store

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// RollupShards is how many session_rollups rows share one shop, quarter
// and currency: a session counts in shard sample % RollupShards. Shards
// would spread concurrent ingests of one shop and quarter over rows; at
// quarter-hour rows one is enough (BENCHMARKS.md).
const RollupShards = 1

// quarterSeconds is the span of a session_rollups row: a session counts in
// the UTC quarter-hour it started, floor(Unix seconds / 900).
//
// Every time zone in use today is offset from UTC by a whole number of
// quarter-hours (Asia/Kolkata +5:30, Asia/Kathmandu +5:45, Pacific/Chatham
// +12:45 and +13:45), and changes its offset on a quarter-hour, so each
// shop-local day, in any zone and across daylight-saving changes, is a
// whole number of quarters (funnel.TestDayBoundsAreQuarterHours): a local
// day's count is the sum of its quarters, and the same rollups serve any
// zone exactly, a change of zone included, with no rebuild. A bound that
// is not on a quarter (a historical offset such as New York's -4:56:02
// before 1883) is still exact: that quarter is read from the sessions
// (quarterPlan).
const quarterSeconds = 900

// rollupStages is how many furthest stages a rollup row counts sessions
// and value of: funnel.StageNone to funnel.StageCompleted.
const rollupStages = int(funnel.StageCompleted) + 1

// rollupKey is a session_rollups row: a shop's sessions of one currency
// that started in one UTC quarter-hour, in one shard.
type rollupKey struct {
	shop     int64
	quarter  int64
	currency string
	shard    int64
}

// rollupSums are what a row holds: the sessions and their value by
// furthest stage, and the value of the recovered ones (completed after
// being flagged abandoned). One row per quarter rather than one per stage
// keeps the rows a report sums few (BENCHMARKS.md).
type rollupSums struct {
	sessions, value [rollupStages]int64
	recoveredValue  int64
}

// rollupColumns are session_rollups' sum columns, in the order of
// rollupSums.list.
func rollupColumns() []string {
	var cols []string
	for _, kind := range []string{"sessions", "value"} {
		for st := range rollupStages {
			cols = append(cols, kind+"_"+strconv.Itoa(st))
		}
	}
	return append(cols, "recovered_value")
}

// list is the sums in the order of rollupColumns.
func (s rollupSums) list() []int64 {
	return append(append(append(make([]int64, 0, 2*rollupStages+1), s.sessions[:]...), s.value[:]...), s.recoveredValue)
}

// scanTargets are pointers to the sums in the order of rollupColumns.
func (s *rollupSums) scanTargets() []any {
	var out []any
	for i := range s.sessions {
		out = append(out, &s.sessions[i])
	}
	for i := range s.value {
		out = append(out, &s.value[i])
	}
	return append(out, &s.recoveredValue)
}

// sessionSums is the SQL that sums a group of sessions rows into the
// columns of rollupColumns, as the ingest keeps them.
func sessionSums() string {
	var exprs []string
	for st := range rollupStages {
		exprs = append(exprs, "SUM(CASE WHEN furthest_stage = "+strconv.Itoa(st)+" THEN 1 ELSE 0 END)")
	}
	for st := range rollupStages {
		exprs = append(exprs, "SUM(CASE WHEN furthest_stage = "+strconv.Itoa(st)+" THEN value ELSE 0 END)")
	}
	return strings.Join(append(exprs, "SUM(CASE WHEN completed_at IS NOT NULL AND abandoned_at IS NOT NULL THEN value ELSE 0 END)"), ", ")
}

// rollupSumsOf is the SQL that adds up the columns cols of session_rollups
// rows, as BIGINT: PostgreSQL's SUM of a BIGINT is a NUMERIC, which costs
// more to send and to scan.
func rollupSumsOf(cols []string) string {
	sums := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = "CAST(SUM(" + c + ") AS BIGINT)"
	}
	return strings.Join(sums, ", ")
}

// rollupDeltas are the changes a transaction makes to session_rollups.
type rollupDeltas map[rollupKey]rollupSums

// add counts the shop's session s sign times (+1 written, -1 replaced or
// deleted), as its row counts in sessionSums. A stage out of range, which
// no session has, counts nowhere, as the report reads none.
func (d rollupDeltas) add(shopID int64, s funnel.Session, sign int64) {
	furthest := int(s.Furthest())
	if furthest < 0 || furthest >= rollupStages {
		return
	}
	k := rollupKey{shop: shopID, quarter: quarterOf(s.StartedAt), currency: s.Currency, shard: int64(SampleOf(s.Key) % RollupShards)}
	v := d[k]
	v.sessions[furthest] += sign
	v.value[furthest] += sign * s.Value
	if s.CompletedAt != nil && s.AbandonedAt != nil {
		v.recoveredValue += sign * s.Value
	}
	d[k] = v
}

// quarterOf is the UTC quarter-hour of t, the quarter column of
// session_rollups.
func quarterOf(t time.Time) int64 {
	sec := t.Unix()
	q := sec / quarterSeconds
	if sec%quarterSeconds < 0 {
		q--
	}
	return q
}

// onQuarter reports whether t is the first instant of a quarter-hour.
func onQuarter(t time.Time) bool { return t.Unix()%quarterSeconds == 0 && t.Nanosecond() == 0 }

// ceilQuarter is the first quarter-hour that begins at or after t.
func ceilQuarter(t time.Time) int64 {
	if onQuarter(t) {
		return quarterOf(t)
	}
	return quarterOf(t) + 1
}

// quarterPlan is how a report reads the sessions that started in
// [start, end), bucketed by bounds between them: the rollups of the
// quarters from to to (half-open, each side only when set), except the
// partial ones, which hold a bound strictly inside them and so belong
// partly to two buckets or partly to none; the sessions of those, clipped
// to [start, end), are read from the sessions table. With every bound on a
// quarter, as for every zone in use today, partial is empty.
type quarterPlan struct {
	from, to       int64
	hasFrom, hasTo bool
	partial        []int64
}

// planQuarters plans [start, end) with the inner bounds of its buckets
// (ascending, inside the range); a zero start or end leaves that side open.
func planQuarters(start, end time.Time, inner ...time.Time) quarterPlan {
	var p quarterPlan
	for _, b := range append(append([]time.Time{start}, inner...), end) {
		if q := quarterOf(b); !b.IsZero() && !onQuarter(b) && !slices.Contains(p.partial, q) {
			p.partial = append(p.partial, q)
		}
	}
	if !start.IsZero() {
		p.from, p.hasFrom = ceilQuarter(start), true
	}
	if !end.IsZero() {
		p.to, p.hasTo = quarterOf(end), true
	}
	return p
}

// rollupWhere is the condition on session_rollups' quarter column.
func (p quarterPlan) rollupWhere() (string, []any) {
	var conds []string
	var args []any
	if p.hasFrom {
		conds, args = append(conds, "quarter >= ?"), append(args, p.from)
	}
	if p.hasTo {
		conds, args = append(conds, "quarter < ?"), append(args, p.to)
	}
	for _, q := range p.partial {
		conds, args = append(conds, "quarter <> ?"), append(args, q)
	}
	if len(conds) == 0 {
		return "TRUE", nil
	}
	return strings.Join(conds, " AND "), args
}

// partialWhere is the condition on sessions' started_at that picks the
// sessions of the partial quarters; "" when there are none. The caller
// clips it to [start, end) with sessionsIn.
func (p quarterPlan) partialWhere() (string, []any) {
	if len(p.partial) == 0 {
		return "", nil
	}
	var ors []string
	var args []any
	for _, q := range p.partial {
		ors = append(ors, "(started_at >= ? AND started_at < ?)")
		args = append(args, time.Unix(q*quarterSeconds, 0).UTC(), time.Unix((q+1)*quarterSeconds, 0).UTC())
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// sorted returns the keys with a non-zero delta in key order: the order
// in which every transaction updates the rows, so that concurrent ones
// cannot deadlock on them.
func (d rollupDeltas) sorted() []rollupKey {
	keys := make([]rollupKey, 0, len(d))
	for k, v := range d {
		if v != (rollupSums{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.quarter, b.quarter),
			strings.Compare(a.currency, b.currency), cmp.Compare(a.shard, b.shard))
	})
	return keys
}

// rollupUpsert is the tail of the statement that adds deltas to
// session_rollups.
var rollupUpsert = func() string {
	cols := rollupColumns()
	for i, c := range cols {
		cols[i] = c + " = session_rollups." + c + " + excluded." + c
	}
	return " ON CONFLICT (shop_id, quarter, currency, shard) DO UPDATE SET " + strings.Join(cols, ", ")
}()

// sqliteStatements returns the multi-row statements that add the deltas
// to session_rollups on SQLite (sqliteRowsPerStatement rows each), in key
// order; none when there are none.
func (d rollupDeltas) sqliteStatements() []statement {
	width := 4 + len(rollupColumns())
	var out []statement
	for chunk := range slices.Chunk(d.sorted(), sqliteRowsPerStatement(width)) {
		args := make([]any, 0, width*len(chunk))
		for _, k := range chunk {
			args = append(args, k.shop, k.quarter, k.currency, k.shard)
			for _, v := range d[k].list() {
				args = append(args, v)
			}
		}
		out = append(out, statement{"INSERT INTO session_rollups (shop_id, quarter, currency, shard, " + strings.Join(rollupColumns(), ", ") +
			") VALUES " + valueRows(len(chunk), width) + rollupUpsert, args})
	}
	return out
}
