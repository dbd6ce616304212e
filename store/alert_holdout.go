package store

import (
	"context"
	"fmt"
	"time"
)

// AlertArm is one group of abandoned carts of the hold-out comparison:
// how many there are, how many were recovered (the session completed
// later) and what the recovered ones were worth (minor units).
type AlertArm struct {
	Carts          int64
	Recovered      int64
	RecoveredValue int64
}

// AlertOutcomes are the carts the shop's abandonment scan decided on in a
// range, as the hold-out report counts them.
type AlertOutcomes struct {
	// Alerted are the carts assigned to get an alert while a hold-out was
	// on, whatever became of the delivery (sent, failed, or skipped because
	// the cart was recovered first): the comparison is of assignment, which
	// the hash makes random, not of delivery, which is not.
	Alerted AlertArm
	// HeldOut are the carts held out of alerts in the same days.
	HeldOut AlertArm
	// SentRecovered counts every alert sent in the range (hold-out on or
	// not) and, of those, the carts completed after the alert was sent: the
	// plain "recovered after an alert", which counts recoveries that would
	// have happened anyway.
	SentRecovered AlertArm
}

// AlertOutcomes counts the outcomes of the shop's alerts created in
// [start, end), joined to their sessions: a session that completed counts
// as recovered (alerts are made when a session is flagged abandoned, so it
// completed after).
func (s *Store) AlertOutcomes(ctx context.Context, shopID int64, start, end time.Time) (AlertOutcomes, error) {
	var row struct {
		Alerted, AlertedRecovered, AlertedValue int64
		HeldOut, HeldOutRecovered, HeldOutValue int64
		Sent, SentRecovered, SentValue          int64
	}
	const (
		inTest    = "a.holdout_percent > 0 AND a.status <> '" + AlertHeldOut + "'"
		heldOut   = "a.status = '" + AlertHeldOut + "'"
		recovered = "s.completed_at IS NOT NULL"
		sent      = "a.status = '" + AlertSent + "' AND a.sent_at IS NOT NULL"
		afterSent = sent + " AND s.completed_at >= a.sent_at"
	)
	count := func(cond string) string { return "COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)" }
	value := func(cond string) string { return "COALESCE(SUM(CASE WHEN " + cond + " THEN s.value ELSE 0 END), 0)" }
	err := s.db(ctx).Raw(`SELECT `+
		count(inTest)+` AS alerted, `+count(inTest+" AND "+recovered)+` AS alerted_recovered, `+
		value(inTest+" AND "+recovered)+` AS alerted_value, `+
		count(heldOut)+` AS held_out, `+count(heldOut+" AND "+recovered)+` AS held_out_recovered, `+
		value(heldOut+" AND "+recovered)+` AS held_out_value, `+
		count(sent)+` AS sent, `+count(afterSent)+` AS sent_recovered, `+value(afterSent)+` AS sent_value
		FROM alerts a LEFT JOIN sessions s ON s.shop_id = a.shop_id AND s.session_key = a.session_key
		WHERE a.shop_id = ? AND a.created_at >= ? AND a.created_at < ?`,
		shopID, utc(start), utc(end)).Scan(&row).Error
	if err != nil {
		return AlertOutcomes{}, fmt.Errorf("store: counting alert outcomes of shop %d: %w", shopID, err)
	}
	return AlertOutcomes{
		Alerted:       AlertArm{Carts: row.Alerted, Recovered: row.AlertedRecovered, RecoveredValue: row.AlertedValue},
		HeldOut:       AlertArm{Carts: row.HeldOut, Recovered: row.HeldOutRecovered, RecoveredValue: row.HeldOutValue},
		SentRecovered: AlertArm{Carts: row.Sent, Recovered: row.SentRecovered, RecoveredValue: row.SentValue},
	}, nil
}
