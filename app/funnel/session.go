package funnel

import "time"

// StageTime returns when s first reached st, or nil if it has not (or st is
// not a funnel stage). The result is a copy the caller may keep.
func (s Session) StageTime(st Stage) *time.Time {
	if !st.Valid() {
		return nil
	}
	return clonePtr(*s.stageField(st))
}

// Completed reports whether the session ended in an order.
func (s Session) Completed() bool {
	return s.CompletedAt != nil
}

// Furthest returns the highest stage s has a time for, StageCompleted
// whenever it completed, and StageNone if it reached nothing (a cart that
// never held an item).
func (s Session) Furthest() Stage {
	if s.Completed() {
		return StageCompleted
	}
	for st := StagePaymentReached; st >= StageAddedToCart; st-- {
		if *s.stageField(st) != nil {
			return st
		}
	}
	return StageNone
}

// Backfilled reports whether s completed without events for every earlier
// stage, so that the report counts it at stages it was not seen at; express
// checkouts and orders without a prior cart do this.
func (s Session) Backfilled() bool {
	if !s.Completed() {
		return false
	}
	for st := StageAddedToCart; st < StageCompleted; st++ {
		if *s.stageField(st) == nil {
			return true
		}
	}
	return false
}
