package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// DailyFurthest returns, for each shop-local day of days (in its order and
// location), how many of the sessions that started that day got furthest
// to each stage, indexed like funnel.Tally.Furthest. It reads the rollups
// in one query that sums each day's quarter-hours in the database (the
// days' bounds passed as quarters, worked out in Go for the zone), so a
// change of zone needs no rebuild. Quarters that straddle a day's bound
// (none, in every zone in use today; see quarterSeconds) are read from the
// sessions instead.
func (s *Store) DailyFurthest(ctx context.Context, shopID int64, days funnel.DayRange) ([][funnel.StageCompleted + 1]int64, error) {
	out := make([][funnel.StageCompleted + 1]int64, days.Len())
	if len(out) == 0 {
		return out, nil
	}
	starts := days.Days()
	plan := planQuarters(days.Start(), days.End(), starts[1:]...)
	// Day i holds the whole quarters from its start to the next day's; a
	// partial quarter is in neither.
	buckets := make([]string, len(starts))
	args := make([]any, 0, 3*len(starts)+1)
	for i, b := range starts {
		next := days.End()
		if i+1 < len(starts) {
			next = starts[i+1]
		}
		buckets[i] = "(CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))"
		args = append(args, i, ceilQuarter(b), quarterOf(next))
	}
	sums := rollupColumns()[:rollupStages] // the sessions by furthest stage
	for st, c := range sums {
		sums[st] = "r." + c
	}
	db := s.db(ctx)
	rows, err := db.Raw("WITH d (i, lo, hi) AS (VALUES "+strings.Join(buckets, ", ")+") SELECT d.i, "+rollupSumsOf(sums)+
		" FROM d JOIN session_rollups r ON r.shop_id = ? AND r.quarter >= d.lo AND r.quarter < d.hi GROUP BY d.i",
		append(args, shopID)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	var day int
	var counts [rollupStages]int64
	dest := []any{&day}
	for st := range counts {
		dest = append(dest, &counts[st])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
		}
		if day >= 0 && day < len(out) {
			for st, n := range counts {
				out[day][st] += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
	}
	if pw, pargs := plan.partialWhere(); pw != "" {
		var partial []struct {
			StartedAt     time.Time
			FurthestStage int
		}
		in, inArgs := sessionsIn(shopID, days.Start(), days.End())
		if err := db.Table("sessions").Select("started_at, furthest_stage").Where(in, inArgs...).
			Where(pw, pargs...).Scan(&partial).Error; err != nil {
			return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
		}
		for _, p := range partial {
			if i, ok := days.Index(p.StartedAt); ok && p.FurthestStage >= 0 && p.FurthestStage < rollupStages {
				out[i][p.FurthestStage]++
			}
		}
	}
	return out, nil
}
