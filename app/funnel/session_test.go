package funnel

import (
	"reflect"
	"testing"
	"time"
)

func TestFromEventCheckout(t *testing.T) {
	zone := time.FixedZone("EST", -5*3600)
	e := Event{
		Kind: KindCheckout, CartToken: "cart1", CheckoutToken: "chk1",
		CreatedAt: t0.In(zone), UpdatedAt: t1.In(zone),
		Value: 4200, Currency: "USD", ItemCount: 2, LineItems: []LineItem{{"Mug", 2}},
		Email: "a@b", HasShippingAddress: true, RequiresShipping: true,
		Country: "CA", SourceName: "web", RecoveryURL: "https://r", Returning: true,
	}
	want := Session{
		Key: "cart1", CartToken: "cart1", CheckoutToken: "chk1",
		StartedAt: t0, LastActivity: t1,
		CheckoutStartedAt: ptr(t0), ContactSubmittedAt: ptr(t1), AddressSubmittedAt: ptr(t1),
		ContentAt: t1, ContentRank: 2, Value: 4200, Currency: "USD", ItemCount: 2, LineItems: []LineItem{{"Mug", 2}},
		Email: "a@b", Country: "CA", SourceName: "web", RecoveryURL: "https://r",
	}
	// Returning without ReturningKnown says nothing: the payload did not tell.
	for _, a := range []Attr{AttrEmail, AttrCountry, AttrSource, AttrRecoveryURL} {
		want.AttrSeen[a] = Stamp{At: t1, Rank: 2}
	}
	got := FromEvent(e)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromEvent:\n got %+v\nwant %+v", got, want)
	}
	e.LineItems[0].Title = "changed"
	if got.LineItems[0].Title != "Mug" {
		t.Error("FromEvent shares the event's LineItems")
	}
}

func TestFromEventCartCarriesNoDetails(t *testing.T) {
	s := FromEvent(Event{Kind: KindCart, CartToken: "c", CreatedAt: t0, UpdatedAt: t1, LineItems: []LineItem{{"A", 1}}, Email: "a@b", Country: "DE", SourceName: "web"})
	if s.Email != "" || s.Country != "" || s.SourceName != "" || s.AttrSeen != [attrCount]Stamp{} {
		t.Errorf("cart set details: %+v", s)
	}
	if s.ContentRank != 1 || !s.ContentAt.Equal(t1) || s.AddedToCartAt == nil {
		t.Errorf("cart content/stage wrong: %+v", s)
	}
}

func TestFromEventUnknownKind(t *testing.T) {
	if s := FromEvent(Event{Kind: "fulfillment", CartToken: "c", CreatedAt: t0}); !reflect.DeepEqual(s, Session{}) {
		t.Errorf("unknown kind gave %+v", s)
	}
}

func TestApplyJourney(t *testing.T) {
	cart := Event{Kind: KindCart, CartToken: "c", CreatedAt: t0, UpdatedAt: t0, Value: 1000, Currency: "USD", ItemCount: 1, LineItems: []LineItem{{"A", 1}}}
	cart2 := cart
	cart2.UpdatedAt = t0.Add(time.Minute)
	cart2.Value, cart2.ItemCount, cart2.LineItems = 3000, 3, []LineItem{{"A", 3}}
	emptied := cart
	emptied.UpdatedAt = t2.Add(time.Hour)
	emptied.Value, emptied.ItemCount, emptied.LineItems = 0, 0, nil
	chk := Event{Kind: KindCheckout, CartToken: "c", CheckoutToken: "k", CreatedAt: t1, UpdatedAt: t1, Value: 3000, Currency: "USD", ItemCount: 3, LineItems: []LineItem{{"A", 3}}}
	chk2 := chk
	chk2.UpdatedAt = t2
	chk2.Email, chk2.Gateway = "a@b", "stripe"
	order := Event{Kind: KindOrder, CartToken: "c", CheckoutToken: "k", CreatedAt: t2.Add(time.Minute), UpdatedAt: t2.Add(time.Minute), Value: 3300, Currency: "USD", ItemCount: 3, LineItems: []LineItem{{"A", 3}}, Email: "a@b"}

	var s Session
	for _, e := range []Event{order, chk2, emptied, cart, chk, cart2, chk2, order} {
		s = s.Apply(e)
	}
	if s.Key != "c" || s.CheckoutToken != "k" {
		t.Errorf("tokens: key %q checkout %q", s.Key, s.CheckoutToken)
	}
	if !s.StartedAt.Equal(t0) || !s.LastActivity.Equal(t2.Add(time.Hour)) {
		t.Errorf("StartedAt %v LastActivity %v", s.StartedAt, s.LastActivity)
	}
	wantTimes := map[Stage]*time.Time{
		StageAddedToCart: ptr(t0), StageCheckoutStarted: ptr(t1), StageContactSubmitted: ptr(t2),
		StageAddressSubmitted: nil, StagePaymentReached: nil, StageCompleted: ptr(t2.Add(time.Minute)),
	}
	for st, w := range wantTimes {
		if got := s.StageTime(st); !reflect.DeepEqual(got, w) {
			t.Errorf("StageTime(%v) = %v, want %v", st, got, w)
		}
	}
	// The emptied cart is the newest snapshot but carries no items; the
	// order is newest of those that do.
	if s.Value != 3300 || s.ContentRank != 3 {
		t.Errorf("content from wrong snapshot: value %d rank %d", s.Value, s.ContentRank)
	}
	// The order is newer than chk2 and wins the e-mail; it names no
	// gateway, which therefore stays chk2's: a missing field erases nothing.
	if s.Email != "a@b" || s.Attr(AttrEmail).Seen.Rank != 3 {
		t.Errorf("e-mail from wrong snapshot: %+v", s)
	}
	if g := s.Attr(AttrGateway); g.Value != "stripe" || g.Seen != (Stamp{At: t2, Rank: 2}) {
		t.Errorf("gateway = %+v, want chk2's stripe", g)
	}
	if s.Furthest() != StageCompleted || !s.Backfilled() {
		t.Errorf("Furthest %v Backfilled %v", s.Furthest(), s.Backfilled())
	}
}

func TestMergeTieBreaks(t *testing.T) {
	a := FromEvent(Event{Kind: KindCheckout, CartToken: "b-cart", CheckoutToken: "z", CreatedAt: t0, UpdatedAt: t1, Value: 500, LineItems: []LineItem{{"X", 1}}, Email: "x@y"})
	b := FromEvent(Event{Kind: KindCheckout, CartToken: "a-cart", CheckoutToken: "y", CreatedAt: t0, UpdatedAt: t1, Value: 700, LineItems: []LineItem{{"X", 1}}, Email: "a@y"})
	c := FromEvent(Event{Kind: KindOrder, CheckoutToken: "y", CreatedAt: t1, UpdatedAt: t1, Value: 100, LineItems: []LineItem{{"X", 1}}})
	for _, m := range []Session{Merge(a, b), Merge(b, a)} {
		if m.CartToken != "a-cart" || m.CheckoutToken != "y" || m.Key != "a-cart" {
			t.Errorf("tokens %q %q key %q", m.CartToken, m.CheckoutToken, m.Key)
		}
		if m.Value != 700 || m.Email != "x@y" {
			t.Errorf("same-instant tie-break: value %d email %q", m.Value, m.Email)
		}
	}
	for _, m := range []Session{Merge(a, c), Merge(c, a)} {
		if m.Value != 100 || m.ContentRank != 3 {
			t.Errorf("order should outrank checkout at the same instant: value %d rank %d", m.Value, m.ContentRank)
		}
	}
}

func TestMergeAbandonedAtAndIdentity(t *testing.T) {
	a := FromEvent(Event{Kind: KindCart, CartToken: "c", CreatedAt: t0, LineItems: []LineItem{{"A", 1}}})
	b := a
	a.AbandonedAt = ptr(t2)
	b.AbandonedAt = ptr(t1)
	if m := Merge(a, b); !m.AbandonedAt.Equal(t1) {
		t.Errorf("AbandonedAt = %v, want the earliest %v", m.AbandonedAt, t1)
	}
	if m := Merge(a, Session{}); !reflect.DeepEqual(m, a) {
		t.Errorf("zero Session is not the identity:\n%+v\n%+v", m, a)
	}
	m := Merge(a, Session{})
	*m.AbandonedAt = t0
	if !a.AbandonedAt.Equal(t2) {
		t.Error("Merge result shares a pointer with its argument")
	}
}

func TestMergeCanonicalisesTimes(t *testing.T) {
	zone := time.FixedZone("X", 7200)
	a := Session{CartToken: "c", StartedAt: t0.In(zone), LastActivity: t0, AddedToCartAt: ptr(t0.In(zone))}
	b := Session{CartToken: "c", StartedAt: t0, LastActivity: t0.In(zone), AddedToCartAt: ptr(t0)}
	if !reflect.DeepEqual(Merge(a, b), Merge(b, a)) {
		t.Error("equal instants in different zones make Merge order-dependent")
	}
	if m := Merge(a, b); m.StartedAt.Location() != time.UTC || m.Key != "c" {
		t.Errorf("Merge did not canonicalise: %v key %q", m.StartedAt, m.Key)
	}
	// A hand-built session whose stage precedes StartedAt is pulled back.
	c := Session{StartedAt: t2, PaymentReachedAt: ptr(t1), LastActivity: t0}
	if m := Merge(c, Session{}); !m.StartedAt.Equal(t1) || !m.LastActivity.Equal(t2) {
		t.Errorf("StartedAt %v LastActivity %v", m.StartedAt, m.LastActivity)
	}
}

func TestFurthestAndBackfilled(t *testing.T) {
	all := Session{AddedToCartAt: ptr(t0), CheckoutStartedAt: ptr(t0), ContactSubmittedAt: ptr(t0), AddressSubmittedAt: ptr(t0), PaymentReachedAt: ptr(t0), CompletedAt: ptr(t1)}
	tests := []struct {
		name       string
		s          Session
		furthest   Stage
		backfilled bool
	}{
		{"nothing", Session{}, StageNone, false},
		{"cart", Session{AddedToCartAt: ptr(t0)}, StageAddedToCart, false},
		{"gap", Session{AddedToCartAt: ptr(t0), AddressSubmittedAt: ptr(t1)}, StageAddressSubmitted, false},
		{"payment without cart", Session{PaymentReachedAt: ptr(t1)}, StagePaymentReached, false},
		{"order only", Session{CompletedAt: ptr(t1)}, StageCompleted, true},
		{"every stage", all, StageCompleted, false},
		{"express checkout", func() Session { s := all; s.ContactSubmittedAt = nil; return s }(), StageCompleted, true},
		{"no cart event", func() Session { s := all; s.AddedToCartAt = nil; return s }(), StageCompleted, true},
	}
	for _, tt := range tests {
		if got := tt.s.Furthest(); got != tt.furthest {
			t.Errorf("%s: Furthest() = %v, want %v", tt.name, got, tt.furthest)
		}
		if got := tt.s.Backfilled(); got != tt.backfilled {
			t.Errorf("%s: Backfilled() = %v, want %v", tt.name, got, tt.backfilled)
		}
	}
	if all.StageTime(StageNone) != nil || all.StageTime(StageCompleted+1) != nil {
		t.Error("StageTime of a non-stage is not nil")
	}
	p := all.StageTime(StageCompleted)
	*p = t2
	if !all.CompletedAt.Equal(t1) {
		t.Error("StageTime returned the session's own pointer")
	}
}

func TestMergeKeepsContentWithNegativeValue(t *testing.T) {
	// A refund-like snapshot: negative value, no time, rank unknown (say a
	// row written before ranks existed). It is still content.
	s := Session{CartToken: "c", Value: -500, Currency: "USD", ItemCount: 1}
	if m := Merge(s, Session{}); m.Value != -500 || m.ItemCount != 1 {
		t.Errorf("content lost to the zero Session: %+v", m)
	}
}
