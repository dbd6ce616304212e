package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// segmentExpr is the SQL that computes funnel.SegmentValue for a session row.
func segmentExpr(segment string) string {
	// Written so that col is evaluated once: it may be a correlated
	// subquery (visitJoinExpr), which a CASE would run up to three times.
	orUnknown := func(col string) string {
		return "COALESCE(NULLIF(" + col + ", ''), 'unknown')"
	}
	switch segment {
	case funnel.SegmentSource:
		return orUnknown("source_name")
	case funnel.SegmentCountry:
		return orUnknown("country")
	case funnel.SegmentDevice:
		return orUnknown(visitJoinExpr("device"))
	case funnel.SegmentLandingPageType:
		return orUnknown(visitJoinExpr("landing_page_type"))
	case funnel.SegmentValueBand:
		bands := funnel.ValueBands()
		var b strings.Builder
		b.WriteString("CASE")
		for i := len(bands) - 1; i > 0; i-- {
			b.WriteString(" WHEN value >= " + strconv.FormatInt(bands[i].Min, 10) + " THEN '" + bands[i].Label + "'")
		}
		b.WriteString(" ELSE '" + bands[0].Label + "' END")
		return b.String()
	default: // funnel.SegmentNewVsReturning
		return "CASE WHEN NOT returning_known THEN 'unknown' WHEN returning_customer THEN 'returning' ELSE 'new' END"
	}
}

// Session states the segmented tally groups by: what funnel.Session.Status
// decides besides the furthest stage, and whether an idle session is
// still within funnel.RecoverWindow.
const (
	stateCompleted = 0 // completed, never flagged
	stateIdle      = 1 // not completed, idle past the threshold and past the recover window
	stateRecovered = 2 // completed after being flagged abandoned
	stateActive    = 3 // not completed and not idle
	stateAtRisk    = 4 // not completed, idle past the threshold, within the recover window
)

// segmentTally is FunnelTally by segment, aggregated in the database: one
// GROUP BY for the counts and sums, and the stage gaps (every session's, or
// the 1/64 sample's above ExactGapLimit) with their segment. It equals
// folding each segment's sessions with funnel.Tally.Add, without loading
// them.
func (s *Store) segmentTally(ctx context.Context, shopID int64, start, end, now time.Time, idle time.Duration, segment string) (map[string]*funnel.Tally, error) {
	where, args := sessionsIn(shopID, start, end)
	seg := segmentExpr(segment)
	q := "SELECT " + seg + " AS seg, furthest_stage, " +
		"CASE WHEN completed_at IS NOT NULL THEN (CASE WHEN abandoned_at IS NOT NULL THEN " + strconv.Itoa(stateRecovered) + " ELSE " + strconv.Itoa(stateCompleted) + " END) " +
		"WHEN last_activity > ? THEN " + strconv.Itoa(stateActive) +
		" WHEN last_activity > ? THEN " + strconv.Itoa(stateAtRisk) + " ELSE " + strconv.Itoa(stateIdle) + " END AS state, " +
		"currency, COUNT(*), COALESCE(SUM(value), 0) FROM sessions WHERE " + where +
		" GROUP BY 1, 2, 3, 4"
	rows, err := s.db(ctx).Raw(q, append([]any{utc(now.Add(-idle)), utc(funnel.RecoverableSince(now, idle))}, args...)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("grouping sessions: %w", err)
	}
	defer rows.Close()
	out := map[string]*funnel.Tally{}
	tally := func(key string) *funnel.Tally {
		t := out[key]
		if t == nil {
			t = &funnel.Tally{}
			out[key] = t
		}
		return t
	}
	var total int64
	for rows.Next() {
		var key, currency string
		var stage, state int
		var n, value int64
		if err := rows.Scan(&key, &stage, &state, &currency, &n, &value); err != nil {
			return nil, fmt.Errorf("grouping sessions: %w", err)
		}
		if stage < int(funnel.StageNone) || stage > int(funnel.StageCompleted) {
			continue
		}
		total += n
		t := tally(key)
		t.Furthest[stage] += n
		if stage == int(funnel.StageCompleted) {
			t.OrderValue += value
		} else if stage >= int(funnel.StageAddedToCart) {
			t.UnorderedValue += value
		}
		switch {
		case state == stateRecovered:
			t.RecoveredValue += value
		case state == stateActive && stage < int(funnel.StageCompleted):
			t.Active[stage] += n
		case state == stateIdle || state == stateAtRisk:
			st := funnel.StatusForStage(funnel.Stage(stage))
			switch st {
			case funnel.StatusAbandonedCart:
				t.AbandonedCarts += n
			case funnel.StatusCheckoutDropoff:
				t.CheckoutDropoffs += n
			case funnel.StatusPaymentDropoff:
				t.PaymentDropoffs += n
			}
			if state == stateAtRisk && funnel.DropoffStages(st) != nil {
				t.CartsAtRisk += n
				t.ValueAtRisk += value
			}
		}
		if currency != "" && (t.Currency == "" || currency < t.Currency) {
			t.Currency = currency
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("grouping sessions: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("grouping sessions: %w", err)
	}
	if err := s.addStageGaps(ctx, where, args, total, seg, tally); err != nil {
		return nil, err
	}
	return out, nil
}
