package funnel

import (
	"slices"
	"testing"
	"time"
)

func TestSegmentValue(t *testing.T) {
	tests := []struct {
		segment string
		s       Session
		want    string
	}{
		{"source", Session{SourceName: "web"}, "web"},
		{"source", Session{}, "unknown"},
		{"country", Session{Country: "DE"}, "DE"},
		{"country", Session{}, "unknown"},
		{"new_vs_returning", Session{}, "unknown"},
		{"new_vs_returning", Session{ReturningKnown: true}, "new"},
		{"new_vs_returning", Session{Returning: true, ReturningKnown: true}, "returning"},
		{"value_band", Session{Value: -100}, "<25"},
		{"value_band", Session{}, "<25"},
		{"value_band", Session{Value: 2499}, "<25"},
		{"value_band", Session{Value: 2500}, "25–50"},
		{"value_band", Session{Value: 4999}, "25–50"},
		{"value_band", Session{Value: 5000}, "50–100"},
		{"value_band", Session{Value: 9999}, "50–100"},
		{"value_band", Session{Value: 10000}, "100–250"},
		{"value_band", Session{Value: 24999}, "100–250"},
		{"value_band", Session{Value: 25000}, "250+"},
		{"value_band", Session{Value: 1 << 62}, "250+"},
		{"device", Session{}, "unknown"},
		{"device", Session{Device: DeviceMobile}, "mobile"},
		{"landing_page_type", Session{}, "unknown"},
		{"landing_page_type", Session{LandingPageType: PageProduct}, "product"},
		{"bogus", Session{SourceName: "web"}, ""},
		{"", Session{}, ""},
	}
	for _, tt := range tests {
		if got := SegmentValue(tt.s, tt.segment); got != tt.want {
			t.Errorf("SegmentValue(value %d, %q) = %q, want %q", tt.s.Value, tt.segment, got, tt.want)
		}
	}
}

func TestValidSegment(t *testing.T) {
	for _, s := range Segments() {
		if !ValidSegment(s) {
			t.Errorf("ValidSegment(%q) = false", s)
		}
		if SegmentValue(Session{}, s) == "" {
			t.Errorf("SegmentValue of valid segment %q is empty", s)
		}
	}
	if len(Segments()) != 6 {
		t.Errorf("Segments() = %v", Segments())
	}
	for _, s := range []string{"", "Source", "value-band", "Device", "landing"} {
		if ValidSegment(s) {
			t.Errorf("ValidSegment(%q) = true", s)
		}
	}
	bands := ValueBands()
	for i := 1; i < len(bands); i++ {
		if bands[i].Min <= bands[i-1].Min {
			t.Errorf("bands not ascending: %v", bands)
		}
	}
}

func TestSegmentReportHidesRatesBeforeKnown(t *testing.T) {
	var tally Tally
	tally.Furthest[StageAddressSubmitted] = 4
	tally.Furthest[StagePaymentReached] = 3
	tally.Furthest[StageCompleted] = 3
	for _, segment := range Segments() {
		r := SegmentReport(tally, segment)
		known := KnownFrom(segment)
		if !known.Valid() {
			t.Fatalf("KnownFrom(%q) = %v", segment, known)
		}
		for _, s := range r.Stages {
			st, _ := ParseStage(s.Key)
			if st != StageAddedToCart && (st <= known) != (s.RateFromPrevious == nil) {
				t.Errorf("%s: %s rate from previous = %v, known from %s", segment, s.Key, s.RateFromPrevious, known)
			}
			if (known > StageAddedToCart) != (s.RateFromStart == nil) {
				t.Errorf("%s: %s rate from start = %v, known from %s", segment, s.Key, s.RateFromStart, known)
			}
			if s.Sessions != BuildReport(tally).Stages[st-1].Sessions {
				t.Errorf("%s: %s counts changed", segment, s.Key)
			}
		}
		if want := map[bool]string{true: known.Key(), false: ""}[known > StageAddedToCart]; r.KnownFrom != want {
			t.Errorf("%s: known_from = %q, want %q", segment, r.KnownFrom, want)
		}
	}
	// Country is known from the address step: the step after it is real.
	r := SegmentReport(tally, SegmentCountry)
	if p := r.Stages[StagePaymentReached-1].RateFromPrevious; p == nil || *p != 0.6 {
		t.Errorf("country: address → payment = %v, want 0.6", p)
	}
}

func TestJoinVisit(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 24, 14, m, 0, 0, time.UTC) }
	s := Session{CartToken: "cart", CheckoutToken: "chk"}
	tokens := []VisitToken{
		{Token: "other", Start: at(0), Device: DeviceTablet},
		{Token: "chk", Start: at(20), Device: DeviceDesktop, LandingPageType: PageCart},
		{Token: "cart", Start: at(5), Device: DeviceMobile, LandingPageType: PageHome},
		{Token: "cart", Start: at(5), Device: DeviceDesktop, LandingPageType: PageProduct},
	}
	got, ok := JoinVisit(s, tokens)
	if !ok || got.Device != DeviceDesktop || got.LandingPageType != PageProduct {
		t.Errorf("JoinVisit = %+v, %v; want the earliest visit, the tie broken by device", got, ok)
	}
	slices.Reverse(tokens)
	if again, _ := JoinVisit(s, tokens); again != got {
		t.Errorf("JoinVisit depends on the order of the tokens: %+v, then %+v", got, again)
	}
	if _, ok := JoinVisit(Session{CartToken: "none"}, tokens); ok {
		t.Error("JoinVisit joined a session none of whose tokens a visit carried")
	}
	if _, ok := JoinVisit(Session{}, []VisitToken{{Token: ""}}); ok {
		t.Error("JoinVisit joined on an empty token")
	}
}
