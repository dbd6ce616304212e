package funnel

import (
	"testing"
	"time"
)

// TestAttributesLatestNonEmpty is the attributes' law: after any events,
// each attribute holds the latest non-empty value any checkout or order
// reported (ties broken by kind rank, then value), whatever the order of
// arrival, so that an event lacking the field never erases it.
func TestAttributesLatestNonEmpty(t *testing.T) {
	mono := time.Now()
	r, pick := newRand(t, 7)
	for i := range propertyCases {
		events := make([]Event, 1+r.IntN(8))
		for j := range events {
			events[j] = genEvent(pick, mono)
		}
		var want [attrCount]Attribute
		for _, e := range events {
			if !e.Kind.Valid() || e.Kind == KindCart {
				continue
			}
			for a, v := range e.attrs() {
				x := Attribute{Value: v, Seen: Stamp{At: e.seenAt(), Rank: e.Kind.Rank()}}
				if v == "" {
					x = Attribute{}
				}
				if compareAttribute(x, want[a]) > 0 {
					want[a] = x
				}
			}
		}
		r.Shuffle(len(events), func(a, b int) { events[a], events[b] = events[b], events[a] })
		got := fold(Session{}, events)
		for _, a := range Attrs() {
			if g := got.Attr(a); g != want[a] {
				t.Fatalf("case %d: %s = %+v, want %+v\nevents %+v", i, a.Key(), g, want[a], events)
			}
		}
	}
}

func TestOrderWithoutCountryKeepsCheckoutsCountry(t *testing.T) {
	chk := Event{Kind: KindCheckout, CartToken: "c", CheckoutToken: "k", CreatedAt: t0, UpdatedAt: t1,
		Country: "DE", SourceName: "web", Returning: true, ReturningKnown: true, HasShippingAddress: true}
	order := Event{Kind: KindOrder, CartToken: "c", CheckoutToken: "k", CreatedAt: t2, UpdatedAt: t2, Email: "a@b"}
	for _, s := range []Session{FromEvent(chk).Apply(order), FromEvent(order).Apply(chk)} {
		if s.Country != "DE" || s.SourceName != "web" || !s.Returning || !s.ReturningKnown || s.Email != "a@b" {
			t.Errorf("completed session lost its checkout's attributes: %+v", s)
		}
	}
	// A newer order that does name a country wins it.
	order.Country = "AT"
	if s := FromEvent(chk).Apply(order); s.Country != "AT" {
		t.Errorf("country = %q, want the order's AT", s.Country)
	}
}

func TestAttrKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range Attrs() {
		k := a.Key()
		if k == "" || seen[k] {
			t.Errorf("attribute %d has key %q (empty or repeated)", a, k)
		}
		seen[k] = true
		if b, ok := ParseAttr(k); !ok || b != a {
			t.Errorf("ParseAttr(%q) = %v, %v", k, b, ok)
		}
		var s Session
		s.SetAttr(a, Attribute{Value: CustomerReturning, Seen: Stamp{At: t0, Rank: 2}})
		if got := s.Attr(a); got.Value != CustomerReturning || got.Seen.At != t0 {
			t.Errorf("%s does not round-trip: %+v", k, got)
		}
		s.SetAttr(a, Attribute{Value: "", Seen: Stamp{At: t0, Rank: 2}})
		if got := s.Attr(a); got != (Attribute{}) {
			t.Errorf("%s cleared keeps %+v", k, got)
		}
	}
	if _, ok := ParseAttr("bogus"); ok {
		t.Error("ParseAttr accepted bogus")
	}
}
