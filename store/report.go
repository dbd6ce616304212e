package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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

// rollupTally is FunnelTally without a segment: three indexed queries.
func (s *Store) rollupTally(ctx context.Context, shopID int64, start, end, now time.Time, idle time.Duration) (*funnel.Tally, error) {
	db := s.db(ctx)
	t := &funnel.Tally{}
	in, inArgs := sessionsIn(shopID, start, end)

	// 1. The rollups: stage counts, uncompleted counts and values by
	// furthest stage, recovered value, currency; the sessions of a quarter
	// the range only partly covers come from the sessions table.
	plan := planQuarters(start, end)
	where, args := plan.rollupWhere()
	q := "SELECT currency, " + rollupSumsOf(rollupColumns()) + " FROM session_rollups WHERE shop_id = ? AND " + where + " GROUP BY currency"
	args = append([]any{shopID}, args...)
	if pw, pargs := plan.partialWhere(); pw != "" {
		q += " UNION ALL SELECT currency, " + sessionSums() + " FROM sessions WHERE " + in + " AND " + pw + " GROUP BY currency"
		args = append(append(args, inArgs...), pargs...)
	}
	var idleCount, idleValue [funnel.StageCompleted + 1]int64
	var total int64
	rows, err := db.Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("reading rollups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var currency string
		var sums rollupSums
		if err := rows.Scan(append([]any{&currency}, sums.scanTargets()...)...); err != nil {
			return nil, fmt.Errorf("reading rollups: %w", err)
		}
		var counted int64
		for stage, n := range sums.sessions {
			if n == 0 {
				continue
			}
			value := sums.value[stage]
			counted += n
			total += n
			t.Furthest[stage] += n
			switch {
			case stage == int(funnel.StageCompleted):
				t.OrderValue += value
			default:
				idleCount[stage] += n
				idleValue[stage] += value
			}
		}
		t.RecoveredValue += sums.recoveredValue
		if counted != 0 && currency != "" && (t.Currency == "" || currency < t.Currency) {
			t.Currency = currency
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading rollups: %w", err)
	}

	// 2. The uncompleted sessions active at now (not drop-offs yet) or idle
	// within the recover window (value at risk), an index-only scan of
	// sessions_open_activity: both lie after RecoverableSince.
	aq := db.Table("sessions").Where(in, inArgs...).Where("completed_at IS NULL AND last_activity > ?",
		utc(funnel.RecoverableSince(now, idle)))
	var recent []struct {
		FurthestStage int
		Active        int
		N, V          int64
	}
	if err := aq.Select("furthest_stage, CASE WHEN last_activity > ? THEN 1 ELSE 0 END AS active, COUNT(*) AS n, COALESCE(SUM(value), 0) AS v",
		utc(now.Add(-idle))).Group("furthest_stage, active").Scan(&recent).Error; err != nil {
		return nil, fmt.Errorf("counting active sessions: %w", err)
	}
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

	// 3. Stage gaps, from every session or from the sample.
	if err := s.addStageGaps(ctx, in, inArgs, total, "", func(string) *funnel.Tally { return t }); err != nil {
		return nil, err
	}
	return t, nil
}

// RebuildRollups recomputes the shop's session_rollups from its sessions,
// as migration 00023 does for every shop. The ingest keeps the rollups
// exact; this is for data loaded around it (the benchmark's bulk load) and
// for repairs.
func (s *Store) RebuildRollups(ctx context.Context, shopID int64) error {
	quarter := "floor(extract(epoch FROM started_at) / 900)::integer"
	if !s.isPG() {
		quarter = "CAST(floor(unixepoch(started_at, 'subsec') / 900.0) AS INTEGER)"
	}
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM session_rollups WHERE shop_id = ?", shopID).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO session_rollups (shop_id, quarter, currency, shard, `+strings.Join(rollupColumns(), ", ")+`)
			SELECT shop_id, `+quarter+`, currency, sample % `+strconv.Itoa(RollupShards)+`, `+sessionSums()+`
			FROM sessions WHERE shop_id = ? GROUP BY 1, 2, 3, 4`, shopID).Error
	})
	if err != nil {
		return fmt.Errorf("store: rebuilding rollups of shop %d: %w", shopID, err)
	}
	return nil
}
