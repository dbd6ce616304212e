package funnel

import (
	"slices"
	"testing"
	"time"
)

func TestStatusAtThreshold(t *testing.T) {
	const idle = time.Hour
	last := t0
	at := func(furthest Stage) Session {
		s := Session{LastActivity: last}
		for st := StageAddedToCart; st <= furthest && st < StageCompleted; st++ {
			*s.stageField(st) = ptr(t0)
		}
		return s
	}
	tests := []struct {
		name string
		s    Session
		now  time.Time
		want Status
	}{
		{"cart, just under", at(StageAddedToCart), last.Add(idle - time.Nanosecond), StatusActive},
		{"cart, exactly", at(StageAddedToCart), last.Add(idle), StatusAbandonedCart},
		{"cart, just over", at(StageAddedToCart), last.Add(idle + time.Nanosecond), StatusAbandonedCart},
		{"checkout, just under", at(StageCheckoutStarted), last.Add(idle - time.Nanosecond), StatusActive},
		{"checkout, exactly", at(StageCheckoutStarted), last.Add(idle), StatusCheckoutDropoff},
		{"contact, over", at(StageContactSubmitted), last.Add(2 * idle), StatusCheckoutDropoff},
		{"address, over", at(StageAddressSubmitted), last.Add(2 * idle), StatusCheckoutDropoff},
		{"payment, just under", at(StagePaymentReached), last.Add(idle - time.Nanosecond), StatusActive},
		{"payment, exactly", at(StagePaymentReached), last.Add(idle), StatusPaymentDropoff},
		{"payment, just over", at(StagePaymentReached), last.Add(idle + time.Nanosecond), StatusPaymentDropoff},
		{"payment only (gap), over", Session{LastActivity: last, PaymentReachedAt: ptr(t0)}, last.Add(idle), StatusPaymentDropoff},
		{"completed, still fresh", Session{LastActivity: last, CompletedAt: ptr(t0)}, last, StatusCompleted},
		{"completed, idle", Session{LastActivity: last, CompletedAt: ptr(t0)}, last.Add(idle * 10), StatusCompleted},
		{"recovered, fresh", Session{LastActivity: last, CompletedAt: ptr(t0), AbandonedAt: ptr(t0)}, last, StatusRecovered},
		{"recovered, idle", Session{LastActivity: last, CompletedAt: ptr(t0), AbandonedAt: ptr(t0)}, last.Add(idle), StatusRecovered},
		{"flagged, not completed", func() Session { s := at(StagePaymentReached); s.AbandonedAt = ptr(t1); return s }(), last.Add(idle), StatusPaymentDropoff},
		{"clock behind activity", at(StageAddedToCart), last.Add(-idle), StatusActive},
		{"nothing reached, idle", Session{LastActivity: last}, last.Add(idle), ""},
		{"nothing reached, fresh", Session{LastActivity: last}, last, StatusActive},
	}
	for _, tt := range tests {
		if got := tt.s.Status(tt.now, idle); got != tt.want {
			t.Errorf("%s: Status = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStatusForStageAndDropoffStages(t *testing.T) {
	want := map[Stage]Status{
		StageNone:             "",
		StageAddedToCart:      StatusAbandonedCart,
		StageCheckoutStarted:  StatusCheckoutDropoff,
		StageContactSubmitted: StatusCheckoutDropoff,
		StageAddressSubmitted: StatusCheckoutDropoff,
		StagePaymentReached:   StatusPaymentDropoff,
		StageCompleted:        StatusCompleted,
		StageCompleted + 1:    "",
	}
	for st, w := range want {
		if got := StatusForStage(st); got != w {
			t.Errorf("StatusForStage(%v) = %q, want %q", st, got, w)
		}
	}
	// DropoffStages must be exactly the inverse of StatusForStage on the
	// drop-off statuses, since the store builds SQL from one and Go from
	// the other.
	for _, status := range Statuses() {
		var inverse []Stage
		if status == StatusAbandonedCart || status == StatusCheckoutDropoff || status == StatusPaymentDropoff {
			for _, st := range Stages() {
				if StatusForStage(st) == status {
					inverse = append(inverse, st)
				}
			}
		}
		if got := DropoffStages(status); !slices.Equal(got, inverse) {
			t.Errorf("DropoffStages(%q) = %v, want %v", status, got, inverse)
		}
	}
	if got := DropoffStages(StatusCheckoutDropoff); len(got) != 3 {
		t.Errorf("DropoffStages(checkout_dropoff) = %v", got)
	}
}

func TestIdleThresholdBounds(t *testing.T) {
	for d, want := range map[time.Duration]bool{
		MinIdleThreshold: true, MinIdleThreshold - time.Minute: false, MaxIdleThreshold: true,
		MaxIdleThreshold + time.Minute: false, 90 * time.Second: false, 6 * time.Minute: true,
	} {
		if got := ValidIdleThreshold(d); got != want {
			t.Errorf("ValidIdleThreshold(%s) = %v, want %v", d, got, want)
		}
	}
	if got := IdleThresholdRange(); got != "between 5 minutes and 7 days" {
		t.Errorf("IdleThresholdRange() = %q", got)
	}
	for d, want := range map[time.Duration]string{
		time.Minute: "1 minute", 5 * time.Minute: "5 minutes", time.Hour: "1 hour", 90 * time.Minute: "90 minutes",
		48 * time.Hour: "2 days", 24 * time.Hour: "1 day", 36 * time.Hour: "36 hours",
	} {
		if got := spell(d); got != want {
			t.Errorf("spell(%s) = %q, want %q", d, got, want)
		}
	}
}
