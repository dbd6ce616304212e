package store

import (
	"context"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// DailyFurthest returns, for each UTC day from from to to (inclusive) on
// which the shop's sessions started, how many of that day's sessions got
// furthest to each stage — indexed like funnel.Tally.Furthest. It reads the
// rollups only: one grouped query, whatever the number of sessions.
func (s *Store) DailyFurthest(ctx context.Context, shopID int64, from, to time.Time) (map[time.Time][funnel.StageCompleted + 1]int64, error) {
	start, end := dayRange(from, to)
	rows, err := s.db(ctx).Raw("SELECT day, furthest_stage, SUM(sessions) FROM session_rollups "+
		"WHERE shop_id = ? AND day >= ? AND day < ? GROUP BY day, furthest_stage",
		shopID, dayNumber(start), dayNumber(end)).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	out := map[time.Time][funnel.StageCompleted + 1]int64{}
	for rows.Next() {
		var day, n int64
		var stage int
		if err := rows.Scan(&day, &stage, &n); err != nil {
			return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
		}
		if stage < int(funnel.StageNone) || stage > int(funnel.StageCompleted) {
			continue
		}
		d := time.Unix(day*86400, 0).UTC()
		counts := out[d]
		counts[stage] += n
		out[d] = counts
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: daily stages of shop %d: %w", shopID, err)
	}
	return out, nil
}
