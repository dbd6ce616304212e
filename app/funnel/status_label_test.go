package funnel

import "testing"

func TestStatusLabel(t *testing.T) {
	want := map[Status]string{
		StatusActive: "Active", StatusAbandonedCart: "Abandoned cart", StatusCheckoutDropoff: "Checkout drop-off",
		StatusPaymentDropoff: "Payment drop-off", StatusCompleted: "Completed", StatusRecovered: "Recovered",
	}
	if len(want) != len(Statuses()) {
		t.Fatalf("%d statuses, %d labels checked", len(Statuses()), len(want))
	}
	for _, s := range Statuses() {
		if got := s.Label(); got != want[s] {
			t.Errorf("%s.Label() = %q, want %q", s, got, want[s])
		}
	}
	if got := Status("lost").Label(); got != "lost" {
		t.Errorf("an unknown status is labelled %q", got)
	}
}
