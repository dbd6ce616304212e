package funnel

import (
	"strconv"
	"time"
)

// Statuses returns the six session statuses, in the order the report lists
// them. The slice is new on every call.
func Statuses() []Status {
	return []Status{
		StatusActive,
		StatusAbandonedCart,
		StatusCheckoutDropoff,
		StatusPaymentDropoff,
		StatusCompleted,
		StatusRecovered,
	}
}

// ParseStatus returns the status spelled s, as in the sessions API's status
// parameter. It reports false for anything else, including "".
func ParseStatus(s string) (Status, bool) {
	for _, st := range Statuses() {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Status returns where s stands at now against the idle threshold. A
// session idle for exactly idle counts as idle: the threshold is "idle for
// T", not "more than T". A session that reached no stage (an empty cart) has
// nothing to report and gets the empty Status once idle.
func (s Session) Status(now time.Time, idle time.Duration) Status {
	if s.Completed() {
		if s.AbandonedAt != nil {
			return StatusRecovered
		}
		return StatusCompleted
	}
	if now.Sub(s.LastActivity) < idle {
		return StatusActive
	}
	return StatusForStage(s.Furthest())
}

// StatusForStage returns the status of a session that is not completed,
// has been idle for the threshold, and got no further than st. It returns
// StatusCompleted for StageCompleted (recovery needs AbandonedAt, which
// the stage alone does not tell) and "" for StageNone or an invalid stage.
// The store uses it to build the same mapping in SQL.
func StatusForStage(st Stage) Status {
	switch st {
	case StageAddedToCart:
		return StatusAbandonedCart
	case StageCheckoutStarted, StageContactSubmitted, StageAddressSubmitted:
		return StatusCheckoutDropoff
	case StagePaymentReached:
		return StatusPaymentDropoff
	case StageCompleted:
		return StatusCompleted
	}
	return ""
}

// DropoffStages returns the furthest stages at which an idle, uncompleted
// session has status st: the inverse of StatusForStage for the three
// drop-off statuses, and nil for the others, which no stage alone decides.
func DropoffStages(st Status) []Stage {
	switch st {
	case StatusAbandonedCart:
		return []Stage{StageAddedToCart}
	case StatusCheckoutDropoff:
		return []Stage{StageCheckoutStarted, StageContactSubmitted, StageAddressSubmitted}
	case StatusPaymentDropoff:
		return []Stage{StagePaymentReached}
	}
	return nil
}

// Label returns the status's name as the merchant reads it (the lists'
// badges, the alerts), or the status's own spelling for one outside
// Statuses.
func (s Status) Label() string {
	switch s {
	case StatusActive:
		return "Active"
	case StatusAbandonedCart:
		return "Abandoned cart"
	case StatusCheckoutDropoff:
		return "Checkout drop-off"
	case StatusPaymentDropoff:
		return "Payment drop-off"
	case StatusCompleted:
		return "Completed"
	case StatusRecovered:
		return "Recovered"
	}
	return string(s)
}

// The bounds of every idle threshold: a shop's own and the app's default
// (ABANDON_AFTER); see ValidIdleThreshold.
const (
	MinIdleThreshold = 5 * time.Minute
	MaxIdleThreshold = 7 * 24 * time.Hour
)

// ValidIdleThreshold reports whether d can be an idle threshold: a whole
// number of minutes, from MinIdleThreshold to MaxIdleThreshold. Whole
// minutes, because the settings show and take the threshold in minutes.
func ValidIdleThreshold(d time.Duration) bool {
	return d >= MinIdleThreshold && d <= MaxIdleThreshold && d%time.Minute == 0
}

// IdleThresholdRange says in words what ValidIdleThreshold accepts, e.g.
// "between 5 minutes and 7 days".
func IdleThresholdRange() string {
	return "between " + spell(MinIdleThreshold) + " and " + spell(MaxIdleThreshold)
}

// spell writes a whole number of days, hours or minutes in words.
func spell(d time.Duration) string {
	n, unit := int64(d/time.Minute), "minute"
	switch {
	case d%(24*time.Hour) == 0:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	}
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}
