package funnel

import (
	"slices"
	"testing"
)

func TestStageKeysAndLabels(t *testing.T) {
	want := []struct {
		st         Stage
		key, label string
	}{
		{StageAddedToCart, "added_to_cart", "Added to cart"},
		{StageCheckoutStarted, "checkout_started", "Started checkout"},
		{StageContactSubmitted, "contact_submitted", "Gave contact info"},
		{StageAddressSubmitted, "address_submitted", "Gave address"},
		{StagePaymentReached, "payment_reached", "Reached payment"},
		{StageCompleted, "completed", "Completed order"},
	}
	got := Stages()
	if len(got) != len(want) {
		t.Fatalf("Stages() = %v, want %d stages", got, len(want))
	}
	for i, w := range want {
		if got[i] != w.st {
			t.Errorf("Stages()[%d] = %v, want %v", i, got[i], w.st)
		}
		if k := w.st.Key(); k != w.key {
			t.Errorf("%d.Key() = %q, want %q", int(w.st), k, w.key)
		}
		if l := w.st.Label(); l != w.label {
			t.Errorf("%d.Label() = %q, want %q", int(w.st), l, w.label)
		}
		if !w.st.Valid() {
			t.Errorf("%v.Valid() = false", w.st)
		}
		if p, ok := ParseStage(w.key); !ok || p != w.st {
			t.Errorf("ParseStage(%q) = %v, %v; want %v, true", w.key, p, ok, w.st)
		}
		if s := w.st.String(); s != w.key {
			t.Errorf("%d.String() = %q, want %q", int(w.st), s, w.key)
		}
	}
}

func TestStagesIsACopy(t *testing.T) {
	a := Stages()
	a[0] = StageCompleted
	if b := Stages(); b[0] != StageAddedToCart {
		t.Fatalf("changing one Stages() result changed the next: %v", b)
	}
}

func TestStageOutsideFunnel(t *testing.T) {
	for _, st := range []Stage{StageNone, StageCompleted + 1, -1} {
		if st.Key() != "" || st.Label() != "" || st.Valid() {
			t.Errorf("%d: Key %q Label %q Valid %v; want empty and invalid", int(st), st.Key(), st.Label(), st.Valid())
		}
	}
	if s := StageNone.String(); s != "none" {
		t.Errorf("StageNone.String() = %q", s)
	}
	if s := Stage(9).String(); s != "Stage(9)" {
		t.Errorf("Stage(9).String() = %q", s)
	}
	for _, k := range []string{"", "none", "Completed", " completed", "added-to-cart", "completed "} {
		if st, ok := ParseStage(k); ok || st != StageNone {
			t.Errorf("ParseStage(%q) = %v, %v; want none, false", k, st, ok)
		}
	}
}

func TestParseStatus(t *testing.T) {
	all := []Status{StatusActive, StatusAbandonedCart, StatusCheckoutDropoff, StatusPaymentDropoff, StatusCompleted, StatusRecovered}
	if got := Statuses(); !slices.Equal(got, all) {
		t.Errorf("Statuses() = %v, want %v", got, all)
	}
	for _, st := range all {
		if got, ok := ParseStatus(string(st)); !ok || got != st {
			t.Errorf("ParseStatus(%q) = %q, %v", st, got, ok)
		}
	}
	for _, s := range []string{"", "Active", "abandoned", "abandoned_cart ", "dropoff"} {
		if got, ok := ParseStatus(s); ok || got != "" {
			t.Errorf("ParseStatus(%q) = %q, %v; want \"\", false", s, got, ok)
		}
	}
}
