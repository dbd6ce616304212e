package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// addStageGaps adds the stage gaps of the sessions that where (a
// sessionsIn condition, with args) picks to their tallies, as
// funnel.Tally.Add collects them: every session's when total, how many
// sessions where picks, is at most ExactGapLimit, otherwise those of
// sample 0 only (see SampleOf). key is the SQL of a session's tally key
// (segmentExpr), or "" when every session goes to tallyOf("").
func (s *Store) addStageGaps(ctx context.Context, where string, args []any, total int64, key string,
	tallyOf func(key string) *funnel.Tally) error {
	if total == 0 {
		return nil
	}
	if total > ExactGapLimit {
		where += " AND sample = 0"
	}
	var k string
	var times [funnel.StageCompleted + 1]sql.NullTime
	dest := make([]any, 0, len(times))
	cols := stageTimeColumns
	if key != "" {
		cols = key + ", " + cols
		dest = append(dest, &k)
	}
	for st := funnel.StageAddedToCart; st <= funnel.StageCompleted; st++ {
		dest = append(dest, &times[st])
	}
	rows, err := s.db(ctx).Raw("SELECT "+cols+" FROM sessions WHERE "+where, args...).Rows()
	if err != nil {
		return fmt.Errorf("reading stage times: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("reading stage times: %w", err)
		}
		t := tallyOf(k)
		// As funnel.Tally.Add: the gap from the previous stage's time, for
		// sessions with both, never negative.
		for st := funnel.StageCheckoutStarted; st <= funnel.StageCompleted; st++ {
			if times[st-1].Valid && times[st].Valid {
				t.Durations[st] = append(t.Durations[st], max(times[st].Time.Sub(times[st-1].Time), 0))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading stage times: %w", err)
	}
	return nil
}
