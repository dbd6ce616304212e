package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// AllSegment is FunnelTally's key when there is no segment.
const AllSegment = "all"

// ExactGapLimit is the largest number of sessions in a report's range for
// which FunnelTally computes the stage-gap durations from every session;
// above it, from the deterministic 1/64 sample (see SampleOf).
const ExactGapLimit = 20000

// FunnelTally tallies the shop's sessions started in [start, end) (a zero
// time leaves that side open; a range of shop-local days is
// funnel.DayRange's Start and End), with statuses taken at now against
// idle: one tally under AllSegment when segment is "", otherwise one per
// value of funnel.SegmentValue.
//
// Without a segment it never reads the range's sessions one by one. Stage
// counts, recovered value and currency come from session_rollups (kept by
// the ingest transaction); the drop-off counts and value at risk are the
// rolled-up uncompleted sessions minus those still active at now, read
// from the index of uncompleted sessions by last activity alone
// (sessions_open_activity, migration 00025). All of that is exact and
// equals folding the sessions with funnel.Tally.Add. Durations are exact
// too (every session's gaps, as Add collects them) when the range holds at
// most ExactGapLimit sessions; above that they are the gaps of the
// sessions of sample 0, a deterministic 1/64 of them chosen by a hash of
// the session key, so the medians the report derives from them are
// estimates (see BENCHMARKS.md for their error).
//
// With a segment it groups the range's sessions in the database
// (segmentTally), with the same exact-or-sampled stage gaps.
func (s *Store) FunnelTally(ctx context.Context, shopID int64, start, end, now time.Time, idle time.Duration, segment string) (map[string]*funnel.Tally, error) {
	if segment != "" && !funnel.ValidSegment(segment) {
		return nil, fmt.Errorf("store: unknown segment %q", segment)
	}
	if segment == "" {
		t, err := s.rollupTally(ctx, shopID, start, end, now, idle)
		if err != nil {
			return nil, fmt.Errorf("store: tallying sessions of shop %d: %w", shopID, err)
		}
		return map[string]*funnel.Tally{AllSegment: t}, nil
	}
	out, err := s.segmentTally(ctx, shopID, start, end, now, idle, segment)
	if err != nil {
		return nil, fmt.Errorf("store: tallying sessions of shop %d by %s: %w", shopID, segment, err)
	}
	return out, nil
}

// rollupTally is FunnelTally without a segment: three indexed queries,
// which on PostgreSQL run side by side, each on a connection of its own:
// the rollups (rollupCounts), the sessions still active or at risk
// (recentCounts) and, on the guess that the range is large, the sampled
// stage gaps. Whether it is large is known only from the rollups, so a
// range of at most ExactGapLimit sessions then reads every session's gaps
// instead, which at that size is quick. SQLite has one connection and
// runs them in turn, with no guess.
func (s *Store) rollupTally(ctx context.Context, shopID int64, start, end, now time.Time, idle time.Duration) (*funnel.Tally, error) {
	t := &funnel.Tally{}
	in, inArgs := sessionsIn(shopID, start, end)
	var counts rollupCounts
	var recent []recentCount
	sampled := &funnel.Tally{}
	reads := []func(context.Context) error{
		func(ctx context.Context) (err error) {
			counts, err = s.rollupCounts(ctx, shopID, start, end)
			return err
		},
		func(ctx context.Context) (err error) {
			recent, err = s.recentCounts(ctx, in, inArgs, now, idle)
			return err
		},
	}
	if s.isPG() {
		reads = append(reads, func(ctx context.Context) error {
			return s.addStageGaps(ctx, in, inArgs, ExactGapLimit+1, "", func(string) *funnel.Tally { return sampled })
		})
	}
	if err := s.sideBySide(ctx, reads...); err != nil {
		return nil, err
	}
	t.Furthest, t.OrderValue, t.RecoveredValue, t.Currency = counts.furthest, counts.orderValue, counts.recoveredValue, counts.currency
	idleCount, idleValue := counts.idleCount, counts.idleValue
	for _, a := range recent {
		switch {
		case a.FurthestStage < 0 || a.FurthestStage >= int(funnel.StageCompleted):
		case a.Active == 1:
			t.Active[a.FurthestStage] += a.N
			idleCount[a.FurthestStage] -= a.N
		case a.FurthestStage >= int(funnel.StageAddedToCart):
			t.CartsAtRisk += a.N
			t.ValueAtRisk += a.V
		}
	}
	for st := funnel.StageAddedToCart; st < funnel.StageCompleted; st++ {
		switch funnel.StatusForStage(st) {
		case funnel.StatusAbandonedCart:
			t.AbandonedCarts += idleCount[st]
		case funnel.StatusCheckoutDropoff:
			t.CheckoutDropoffs += idleCount[st]
		case funnel.StatusPaymentDropoff:
			t.PaymentDropoffs += idleCount[st]
		}
		t.UnorderedValue += idleValue[st]
	}

	// Stage gaps: the sample read beside the rest, or every session's.
	if s.isPG() && counts.total > ExactGapLimit {
		t.Durations = sampled.Durations
	} else if err := s.addStageGaps(ctx, in, inArgs, counts.total, "", func(string) *funnel.Tally { return t }); err != nil {
		return nil, err
	}
	return t, nil
}

// sideBySide runs reads, each on a connection of its own, on PostgreSQL,
// and one after the other on SQLite; the first error cancels the others.
func (s *Store) sideBySide(ctx context.Context, reads ...func(context.Context) error) error {
	if !s.isPG() {
		for _, r := range reads {
			if err := r(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, r := range reads {
		wg.Go(func() {
			if errs[i] = r(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rollupCounts is what the rollups say of a range: the sessions by
// furthest stage, the uncompleted ones' count and value by stage, order
// and recovered value, the currency, and the total.
type rollupCounts struct {
	furthest, idleCount, idleValue [funnel.StageCompleted + 1]int64
	orderValue, recoveredValue     int64
	currency                       string
	total                          int64
}

// rollupCounts sums the shop's rollups over [start, end): stage counts,
// uncompleted counts and values by furthest stage, recovered value,
// currency; the sessions of a quarter the range only partly covers come
// from the sessions table.
func (s *Store) rollupCounts(ctx context.Context, shopID int64, start, end time.Time) (rollupCounts, error) {
	var c rollupCounts
	in, inArgs := sessionsIn(shopID, start, end)
	plan := planQuarters(start, end)
	where, args := plan.rollupWhere()
	q := "SELECT currency, " + rollupSumsOf(rollupColumns()) + " FROM session_rollups WHERE shop_id = ? AND " + where + " GROUP BY currency"
	args = append([]any{shopID}, args...)
	if pw, pargs := plan.partialWhere(); pw != "" {
		q += " UNION ALL SELECT currency, " + sessionSums() + " FROM sessions WHERE " + in + " AND " + pw + " GROUP BY currency"
		args = append(append(args, inArgs...), pargs...)
	}
	rows, err := s.db(ctx).Raw(q, args...).Rows()
	if err != nil {
		return c, fmt.Errorf("reading rollups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var currency string
		var sums rollupSums
		if err := rows.Scan(append([]any{&currency}, sums.scanTargets()...)...); err != nil {
			return c, fmt.Errorf("reading rollups: %w", err)
		}
		var counted int64
		for stage, n := range sums.sessions {
			if n == 0 {
				continue
			}
			value := sums.value[stage]
			counted += n
			c.total += n
			c.furthest[stage] += n
			switch {
			case stage == int(funnel.StageCompleted):
				c.orderValue += value
			default:
				c.idleCount[stage] += n
				c.idleValue[stage] += value
			}
		}
		c.recoveredValue += sums.recoveredValue
		if counted != 0 && currency != "" && (c.currency == "" || currency < c.currency) {
			c.currency = currency
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("reading rollups: %w", err)
	}
	return c, nil
}

// recentCount is the uncompleted sessions of one furthest stage, active at
// now (Active 1) or idle within the recover window (0), and their value.
type recentCount struct {
	FurthestStage int
	Active        int
	N, V          int64
}

// recentCounts counts the uncompleted sessions of the range (in, a
// sessionsIn condition) active at now (not drop-offs yet) or idle within
// the recover window (value at risk): both lie after RecoverableSince, an
// index-only scan of sessions_open_activity.
func (s *Store) recentCounts(ctx context.Context, in string, inArgs []any, now time.Time, idle time.Duration) ([]recentCount, error) {
	var recent []recentCount
	aq := s.db(ctx).Table("sessions").Where(in, inArgs...).Where("completed_at IS NULL AND last_activity > ?",
		utc(funnel.RecoverableSince(now, idle)))
	if err := aq.Select("furthest_stage, CASE WHEN last_activity > ? THEN 1 ELSE 0 END AS active, COUNT(*) AS n, COALESCE(SUM(value), 0) AS v",
		utc(now.Add(-idle))).Group("furthest_stage, active").Scan(&recent).Error; err != nil {
		return nil, fmt.Errorf("counting active sessions: %w", err)
	}
	return recent, nil
}

// bucketSQL is the dialect's SQL of a sessions row's bucket of span
// seconds (bucketOf; quarterOf for quarterSeconds).
func (s *Store) bucketSQL(span int64) string {
	n := strconv.FormatInt(span, 10)
	if s.isPG() {
		return "floor(extract(epoch FROM started_at) / " + n + ")::integer"
	}
	return "CAST(floor(unixepoch(started_at, 'subsec') / " + n + ".0) AS INTEGER)"
}

// RebuildRollups recomputes the shop's session_rollups and payment_rollups
// from its sessions, as migrations 00023 and 00048 do for every shop. The
// ingest keeps the rollups exact; this is for data loaded around it (the
// benchmark's bulk load) and for repairs.
func (s *Store) RebuildRollups(ctx context.Context, shopID int64) error {
	quarter := s.bucketSQL(quarterSeconds)
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM session_rollups WHERE shop_id = ?", shopID).Error; err != nil {
			return err
		}
		err := tx.Exec(`INSERT INTO session_rollups (shop_id, quarter, currency, shard, `+strings.Join(rollupColumns(), ", ")+`)
			SELECT shop_id, `+quarter+`, currency, sample % `+strconv.Itoa(RollupShards)+`, `+sessionSums()+`
			FROM sessions WHERE shop_id = ? GROUP BY 1, 2, 3, 4`, shopID).Error
		if err != nil {
			return err
		}
		return rebuildPaymentRollups(tx, shopID, s.bucketSQL)
	})
	if err != nil {
		return fmt.Errorf("store: rebuilding rollups of shop %d: %w", shopID, err)
	}
	return nil
}
