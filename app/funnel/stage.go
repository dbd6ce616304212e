package funnel

import "strconv"

// Key returns the stage's stable key as used in the report JSON and the
// database, or "" for StageNone and values outside the funnel.
func (s Stage) Key() string {
	switch s {
	case StageAddedToCart:
		return "added_to_cart"
	case StageCheckoutStarted:
		return "checkout_started"
	case StageContactSubmitted:
		return "contact_submitted"
	case StageAddressSubmitted:
		return "address_submitted"
	case StagePaymentReached:
		return "payment_reached"
	case StageCompleted:
		return "completed"
	}
	return ""
}

// Label returns the stage's name as the merchant reads it in the report, or
// "" for StageNone and values outside the funnel.
func (s Stage) Label() string {
	switch s {
	case StageAddedToCart:
		return "Added to cart"
	case StageCheckoutStarted:
		return "Started checkout"
	case StageContactSubmitted:
		return "Gave contact info"
	case StageAddressSubmitted:
		return "Gave address"
	case StagePaymentReached:
		return "Reached payment"
	case StageCompleted:
		return "Completed order"
	}
	return ""
}

// Valid reports whether s is one of the six funnel stages (StageNone is not).
func (s Stage) Valid() bool {
	return s >= StageAddedToCart && s <= StageCompleted
}

// String returns the stage's key, "none" for StageNone, and a Go-syntax form
// for anything else, so that log lines and test failures stay readable.
func (s Stage) String() string {
	if s == StageNone {
		return "none"
	}
	if k := s.Key(); k != "" {
		return k
	}
	return "Stage(" + strconv.Itoa(int(s)) + ")"
}

// Stages returns the six stages in funnel order. The slice is new on every
// call, so callers may keep or change it.
func Stages() []Stage {
	return []Stage{
		StageAddedToCart,
		StageCheckoutStarted,
		StageContactSubmitted,
		StageAddressSubmitted,
		StagePaymentReached,
		StageCompleted,
	}
}

// ParseStage returns the stage whose Key is key. It reports false for
// anything else, including "" and "none".
func ParseStage(key string) (Stage, bool) {
	for _, s := range Stages() {
		if s.Key() == key {
			return s, true
		}
	}
	return StageNone, false
}
