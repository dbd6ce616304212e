package funnel

import (
	"slices"
	"strings"
)

// MaxPaymentErrors is how many payment error alerts one visit keeps (the
// earliest): enough to say a shopper met errors and at which steps,
// while bounding a visit's size.
const MaxPaymentErrors = 20

// IsPaymentError reports whether an alert_displayed type is a payment
// error. Shopify documents the type as PaymentError and the checkout sends
// PAYMENT_ERROR; both are read.
func IsPaymentError(alertType string) bool {
	return strings.EqualFold(strings.ReplaceAll(alertType, "_", ""), "paymenterror")
}

// visitPaymentOf sets on v, the visit of e alone, the payment facts e
// carries: the gateway and payment method of a transaction, and a payment
// error alert.
func visitPaymentOf(v *Visit, e StorefrontEvent, k EventKey) {
	if e.Gateway != "" || e.PaymentMethod != "" {
		v.PaymentFrom, v.Gateway, v.PaymentMethod = k, e.Gateway, e.PaymentMethod
	}
	if e.Name == EventAlertDisplayed && IsPaymentError(e.AlertType) {
		v.PaymentErrors = []EventKey{k}
	}
}

// mergeVisitPayment sets out's payment facts from a and b: the gateway
// and method of the earliest event that named one (on a tie of keys the
// smaller pair), and the union of the payment errors, the earliest
// MaxPaymentErrors kept, so that merging stays commutative, associative
// and idempotent.
func mergeVisitPayment(out *Visit, a, b Visit) {
	out.PaymentFrom = firstKey(a.PaymentFrom, b.PaymentFrom)
	switch {
	case out.PaymentFrom.IsZero():
	case sameKey(out.PaymentFrom, a.PaymentFrom) && sameKey(out.PaymentFrom, b.PaymentFrom):
		src := a
		if b.Gateway < a.Gateway || (b.Gateway == a.Gateway && b.PaymentMethod < a.PaymentMethod) {
			src = b
		}
		out.Gateway, out.PaymentMethod = src.Gateway, src.PaymentMethod
	case sameKey(out.PaymentFrom, a.PaymentFrom):
		out.Gateway, out.PaymentMethod = a.Gateway, a.PaymentMethod
	default:
		out.Gateway, out.PaymentMethod = b.Gateway, b.PaymentMethod
	}
	out.PaymentErrors = unionKeys(a.PaymentErrors, b.PaymentErrors, MaxPaymentErrors)
}

// unionKeys returns the union of a and b in event order, at most limit
// long (the earliest kept), nil when empty; keys are in UTC.
func unionKeys(a, b []EventKey, limit int) []EventKey {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make([]EventKey, 0, len(a)+len(b))
	for _, k := range slices.Concat(a, b) {
		out = append(out, EventKey{At: k.At.UTC(), ID: k.ID})
	}
	slices.SortFunc(out, func(x, y EventKey) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	out = slices.CompactFunc(out, sameKey)
	if len(out) > limit {
		out = out[:limit]
	}
	return slices.Clip(out)
}

// PaymentErrorStage is the storefront stage a visit had reached when it
// showed the payment error at k: the furthest checkout stage it reached
// at or before the alert (the checkout's start when none is known), so
// that errors are counted per step.
func (v Visit) PaymentErrorStage(k EventKey) StorefrontStage {
	for st := StorefrontPaymentSubmitted; st > StorefrontCheckoutStarted; st-- {
		if at := v.Stages[st]; !at.IsZero() && !at.After(k.At) {
			return st
		}
	}
	return StorefrontCheckoutStarted
}
