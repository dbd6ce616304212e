package funnel

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
)

// holdoutSalt keeps the hold-out's buckets apart from any other use of a
// hash of the session key.
const holdoutSalt = "funnelscope-holdout\x00"

// HoldoutBucket is the session's bucket, 0 to 99, from a stable hash of its
// key (SHA-256): the same key lands in the same bucket on every scan, every
// server and every release, so a cart never changes group.
func HoldoutBucket(sessionKey string) int {
	sum := sha256.Sum256([]byte(holdoutSalt + sessionKey))
	return int(binary.BigEndian.Uint64(sum[:8]) % 100)
}

// HeldOut reports whether the cart of sessionKey is held out of alerts
// under a hold-out of percent (0 to 100): the carts whose bucket is below
// percent, so that raising the percentage only adds carts to the held-out
// group. The one rule that decides the hold-out.
func HeldOut(sessionKey string, percent int) bool {
	return percent > 0 && HoldoutBucket(sessionKey) < percent
}

// NewcombeDiff returns the 95% interval of the difference p1 − p2 of two
// independent rates, k1 of n1 and k2 of n2, by Newcombe's hybrid score
// method (method 10 of Newcombe 1998), built from each rate's Wilson
// interval: it stays within [−1, 1] and behaves at rates of 0 and 1 and at
// small samples, where the plain normal interval does not. An empty group
// gives the whole range [−1, 1].
func NewcombeDiff(k1, n1, k2, n2 int64) (lo, hi float64) {
	if n1 <= 0 || n2 <= 0 {
		return -1, 1
	}
	p1 := float64(min(max(k1, 0), n1)) / float64(n1)
	p2 := float64(min(max(k2, 0), n2)) / float64(n2)
	l1, u1 := Wilson(k1, n1)
	l2, u2 := Wilson(k2, n2)
	d := p1 - p2
	lo = d - math.Sqrt((p1-l1)*(p1-l1)+(u2-p2)*(u2-p2))
	hi = d + math.Sqrt((u1-p1)*(u1-p1)+(p2-l2)*(p2-l2))
	return max(lo, -1), min(hi, 1)
}

// RecoveryArm is one group of abandoned carts of the hold-out comparison.
type RecoveryArm struct {
	Carts          int64
	Recovered      int64
	RecoveredValue int64 // minor units
}

// HoldoutVerdict says what the hold-out comparison shows.
type HoldoutVerdict string

// The verdicts of the hold-out comparison.
const (
	// HoldoutOff: no cart was held out in the range.
	HoldoutOff HoldoutVerdict = "off"
	// HoldoutTooFew: fewer than MinShoppers carts in a group.
	HoldoutTooFew HoldoutVerdict = "not_enough_carts"
	// HoldoutAdds: alerted carts recover more, beyond the noise.
	HoldoutAdds HoldoutVerdict = "alerts_add_recoveries"
	// HoldoutNoClear: the difference is within the noise.
	HoldoutNoClear HoldoutVerdict = "no_clear_difference"
	// HoldoutFewer: alerted carts recover less, beyond the noise.
	HoldoutFewer HoldoutVerdict = "alerted_recover_less"
)

// ArmJSON is one group's figures: its recovered rate with the 95% Wilson
// interval (null without carts), and the recovered value in all and per
// cart.
type ArmJSON struct {
	Carts          int64    `json:"carts"`
	Recovered      int64    `json:"recovered"`
	Rate           *float64 `json:"rate"`
	RateLow        *float64 `json:"rate_low"`
	RateHigh       *float64 `json:"rate_high"`
	RecoveredValue string   `json:"recovered_value"`
	ValuePerCart   string   `json:"value_per_cart"`
}

// HoldoutJSON is the report's "alert_holdout": what alerts add, measured
// against the carts held out of them, next to the plain count of carts
// recovered after an alert.
type HoldoutJSON struct {
	// Alerted and HeldOut are the carts assigned to an alert, and held
	// out, while a hold-out was on.
	Alerted ArmJSON `json:"alerted"`
	HeldOut ArmJSON `json:"held_out"`
	// Lift is the alerted group's recovered rate minus the held-out
	// group's (0.04 = four points), with its 95% interval (NewcombeDiff);
	// null when a group is empty.
	Lift     *float64 `json:"lift"`
	LiftLow  *float64 `json:"lift_low"`
	LiftHigh *float64 `json:"lift_high"`
	// AddedValue is what the alerts added: Lift × the alerted carts × the
	// mean value of a recovered cart (both groups), with the interval of
	// Lift priced the same way (the spread of order values is not in it).
	AddedValue     *string        `json:"added_value"`
	AddedValueLow  *string        `json:"added_value_low"`
	AddedValueHigh *string        `json:"added_value_high"`
	Verdict        HoldoutVerdict `json:"verdict"`
	// Summary is the figure in plain words.
	Summary string `json:"summary"`
	// RecoveredAfterAlert is the plain figure: alerts sent in the range
	// (Carts) and the carts that completed after theirs (Recovered), which
	// counts recoveries that would have happened without the alert.
	RecoveredAfterAlert ArmJSON `json:"recovered_after_alert"`
}

// arm writes one group's figures.
func arm(a RecoveryArm) ArmJSON {
	out := ArmJSON{Carts: a.Carts, Recovered: a.Recovered, RecoveredValue: FormatMoney(a.RecoveredValue), ValuePerCart: FormatMoney(0)}
	if a.Carts > 0 {
		r := float64(a.Recovered) / float64(a.Carts)
		lo, hi := Wilson(a.Recovered, a.Carts)
		out.Rate, out.RateLow, out.RateHigh = &r, &lo, &hi
		out.ValuePerCart = FormatMoney(int64(math.Round(float64(a.RecoveredValue) / float64(a.Carts))))
	}
	return out
}

// percent writes a rate as a percentage, "4.2%".
func percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// points writes a difference of rates in percentage points, signed: "+4.2".
func points(f float64) string { return fmt.Sprintf("%+.1f", 100*f) }

// BuildHoldout compares the alerted and held-out carts of a range and
// writes the plain figure of sent next to it.
func BuildHoldout(alerted, heldOut, sent RecoveryArm) HoldoutJSON {
	out := HoldoutJSON{Alerted: arm(alerted), HeldOut: arm(heldOut), RecoveredAfterAlert: arm(sent)}
	plain := fmt.Sprintf("%d of %d carts alerted were bought after the alert", sent.Recovered, sent.Carts)
	if heldOut.Carts == 0 {
		out.Verdict = HoldoutOff
		out.Summary = plain + "; hold out some carts in Settings to see how many would have been bought anyway."
		return out
	}
	if alerted.Carts > 0 {
		lift := *out.Alerted.Rate - *out.HeldOut.Rate
		lo, hi := NewcombeDiff(alerted.Recovered, alerted.Carts, heldOut.Recovered, heldOut.Carts)
		out.Lift, out.LiftLow, out.LiftHigh = &lift, &lo, &hi
		if rec := alerted.Recovered + heldOut.Recovered; rec > 0 {
			mean := float64(alerted.RecoveredValue+heldOut.RecoveredValue) / float64(rec)
			price := func(f float64) *string {
				s := FormatMoney(int64(math.Round(f * float64(alerted.Carts) * mean)))
				return &s
			}
			out.AddedValue, out.AddedValueLow, out.AddedValueHigh = price(lift), price(lo), price(hi)
		}
	}
	switch {
	case alerted.Carts < MinShoppers || heldOut.Carts < MinShoppers:
		out.Verdict = HoldoutTooFew
		out.Summary = fmt.Sprintf("%s. Not enough carts yet to tell what alerts add: %d alerted and %d held out, at least %d of each are needed.",
			plain, alerted.Carts, heldOut.Carts, MinShoppers)
		return out
	case *out.LiftLow > 0:
		out.Verdict = HoldoutAdds
	case *out.LiftHigh < 0:
		out.Verdict = HoldoutFewer
	default:
		out.Verdict = HoldoutNoClear
	}
	out.Summary = fmt.Sprintf("%s. Of the carts held out, %s were bought anyway, against %s of the alerted: a difference of %s points (95%% interval %s to %s).",
		plain, percent(*out.HeldOut.Rate), percent(*out.Alerted.Rate), points(*out.Lift), points(*out.LiftLow), points(*out.LiftHigh))
	return out
}
