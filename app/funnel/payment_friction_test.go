package funnel

import (
	"testing"
	"time"
)

func TestIsPaymentError(t *testing.T) {
	for in, want := range map[string]bool{"PaymentError": true, "PAYMENT_ERROR": true, "payment_error": true, "DeliveryError": false, "": false} {
		if got := IsPaymentError(in); got != want {
			t.Errorf("IsPaymentError(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestVisitPaymentFacts(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	ev := func(id, name string, min int) StorefrontEvent {
		return StorefrontEvent{ID: id, ClientID: "c", Name: name, At: t0.Add(time.Duration(min) * time.Minute), CheckoutToken: "tok"}
	}
	start := ev("1", EventCheckoutStarted, 0)
	early := ev("2", EventAlertDisplayed, 1)
	early.AlertType = "PAYMENT_ERROR"
	other := ev("3", EventAlertDisplayed, 2)
	other.AlertType = "DeliveryError"
	submit := ev("4", EventPaymentInfoSubmitted, 3)
	late := ev("5", EventAlertDisplayed, 4)
	late.AlertType = "PaymentError"
	done := ev("6", EventCheckoutCompleted, 5)
	done.Gateway, done.PaymentMethod = "shopify_payments", "creditCard"
	events := []StorefrontEvent{start, early, other, submit, late, done}
	// Folded in either order and with a repeat, the visit is the same.
	fwd := Fold(nil, events)
	rev := Fold(nil, []StorefrontEvent{done, late, late, submit, other, early, start})
	if len(fwd) != 1 || len(rev) != 1 {
		t.Fatalf("visits: %d and %d, want 1", len(fwd), len(rev))
	}
	v := fwd[0]
	if v.Gateway != "shopify_payments" || v.PaymentMethod != "creditCard" || len(v.PaymentErrors) != 2 {
		t.Fatalf("payment facts %q %q %v", v.Gateway, v.PaymentMethod, v.PaymentErrors)
	}
	if r := rev[0]; r.Gateway != v.Gateway || len(r.PaymentErrors) != 2 || !sameKey(r.PaymentErrors[0], v.PaymentErrors[0]) {
		t.Errorf("order changed the facts: %+v", r.PaymentErrors)
	}
	if st := v.PaymentErrorStage(v.PaymentErrors[0]); st != StorefrontCheckoutStarted {
		t.Errorf("first error at %v, want checkout_started", st)
	}
	if st := v.PaymentErrorStage(v.PaymentErrors[1]); st != StorefrontPaymentSubmitted {
		t.Errorf("second error at %v, want payment_submitted", st)
	}
	// Listed once per token, the visit counts once.
	p := PaymentSessionOf(Session{CheckoutToken: "tok"}, append(fwd, fwd...))
	if !p.Pixel || !p.Submitted || p.Gateway != "shopify_payments" || p.Method != "creditCard" || len(p.ErrorSteps) != 2 {
		t.Errorf("payment session %+v", p)
	}
	if p := PaymentSessionOf(Session{CheckoutToken: "other"}, fwd); p.Pixel || p.Submitted || len(p.ErrorSteps) != 0 {
		t.Errorf("a visit of another checkout joined: %+v", p)
	}
}

func TestBuildPaymentFriction(t *testing.T) {
	// 40 mobile sessions at payment, 12 completed (30%, well below the
	// typical 0.9x of the payment step); 40 desktop, 36 completed. Orders
	// name their gateway, abandoned sessions do not.
	var ss []PaymentSession
	add := func(n int, s PaymentSession) {
		for range n {
			ss = append(ss, s)
		}
	}
	add(12, PaymentSession{Completed: true, Device: "mobile", Country: "DE", Gateway: "paypal", Pixel: true, Submitted: true, Method: "wallet"})
	add(28, PaymentSession{Device: "mobile", Country: "DE", Pixel: true, Submitted: true, ErrorSteps: []StorefrontStage{StorefrontPaymentSubmitted, StorefrontPaymentSubmitted}})
	// Sessions no visit joined come grouped: 36 as one row, 4 as four.
	add(1, PaymentSession{N: 36, Completed: true, Device: "desktop", Country: "unknown", Gateway: "shopify_payments"})
	add(4, PaymentSession{Device: "desktop", Country: "unknown"})
	f := BuildPaymentFriction(ss, 50_00, Month)
	if f.Reached != 80 || f.Completed != 48 || f.PixelSessions != 40 || *f.Submitted != 40 || *f.ErrorSessions != 28 {
		t.Fatalf("totals %+v", f)
	}
	if len(f.Errors) != 1 || f.Errors[0].Step != "payment_submitted" || f.Errors[0].Alerts != 56 || f.Errors[0].Sessions != 28 {
		t.Errorf("errors %+v", f.Errors)
	}
	dims := map[string]PaymentDimension{}
	for _, d := range f.Dimensions {
		dims[d.Key] = d
		var reached int64
		for _, r := range d.Rows {
			reached += r.Reached
			if (r.Step != nil) != d.Rated {
				t.Errorf("%s %s: step %v, rated %v", d.Key, r.Value, r.Step, d.Rated)
			}
		}
		if reached != f.Reached {
			t.Errorf("%s rows add up to %d, want %d", d.Key, reached, f.Reached)
		}
	}
	dev := dims[PaymentByDevice].Rows
	if dev[0].Value != "mobile" || dev[0].Step.Band != VerdictBelow || dev[0].Step.Opportunity <= 0 {
		t.Errorf("mobile not ranked first by money lost: %+v", dev[0])
	}
	// Mobile: 40 × (typical − 0.30) × 1 × 50.00, the leak's price.
	b := paymentBenchmark()
	if want := toMinor(40 * (b.Typical - 0.30) * 5000); dev[0].Step.Opportunity != want {
		t.Errorf("mobile money lost %d, want %d", dev[0].Step.Opportunity, want)
	}
	if dev[1].Value != "desktop" || dev[1].Step.Opportunity != 0 {
		t.Errorf("desktop %+v", dev[1])
	}
	gw := dims[PaymentByGateway]
	if gw.Rated || gw.Note == "" || gw.Rows[0].Value != "shopify_payments" && gw.Rows[0].Value != "unknown" {
		t.Errorf("gateway dimension %+v", gw)
	}
	if _, ok := dims[PaymentByMethod]; !ok {
		t.Error("no payment method dimension with the pixel")
	}
	// Without the pixel: no submitted, no error counts, no method split.
	none := BuildPaymentFriction(ss[40:], 50_00, Month)
	if none.Submitted != nil || none.ErrorSessions != nil || len(none.Errors) != 0 || len(none.Dimensions) != 3 {
		t.Errorf("without the pixel: %+v", none)
	}
	// No sessions: no NaN, no rate.
	empty := BuildPaymentFriction(nil, 50_00, Month)
	if empty.Step.Rate != nil || empty.Reached != 0 {
		t.Errorf("empty %+v", empty)
	}
}
