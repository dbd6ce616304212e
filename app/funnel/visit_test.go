package funnel

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// visitsBySorting is the definition itself, written independently of Fold:
// one client's distinct events in (time, id) order, cut wherever the gap
// exceeds VisitGap, each run merged event by event.
func visitsBySorting(events []StorefrontEvent) []Visit {
	seen := map[string]bool{}
	var uniq []StorefrontEvent
	for _, e := range events {
		if !seen[e.ID] {
			seen[e.ID] = true
			uniq = append(uniq, e)
		}
	}
	slices.SortFunc(uniq, func(a, b StorefrontEvent) int {
		switch {
		case a.ClientID != b.ClientID:
			if a.ClientID < b.ClientID {
				return -1
			}
			return 1
		case !a.At.Equal(b.At):
			return a.At.Compare(b.At)
		case a.ID < b.ID:
			return -1
		}
		return 1
	})
	var out []Visit
	var prev StorefrontEvent
	for i, e := range uniq {
		if i == 0 || e.ClientID != prev.ClientID || e.At.Sub(prev.At) > VisitGap {
			out = append(out, MergeVisits(VisitOf(e), Visit{}))
		} else {
			out[len(out)-1] = MergeVisits(out[len(out)-1], VisitOf(e))
		}
		prev = e
	}
	return out
}

// roundTrip stores and loads visits the way the store may: as JSON.
func roundTrip(t *testing.T, vs []Visit) []Visit {
	t.Helper()
	b, err := json.Marshal(vs)
	if err != nil {
		t.Fatal(err)
	}
	var out []Visit
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// foldLikeTheStore folds one batch as the store does: it loads only the
// client's visits whose span comes within VisitGap of the batch's events,
// folds them with the batch, and keeps the others as they were.
func foldLikeTheStore(stored []Visit, batch []StorefrontEvent) []Visit {
	type window struct{ lo, hi time.Time }
	win := map[string]window{}
	for _, e := range batch {
		w, ok := win[e.ClientID]
		if !ok || e.At.Before(w.lo) {
			w.lo = e.At
		}
		if !ok || e.At.After(w.hi) {
			w.hi = e.At
		}
		win[e.ClientID] = w
	}
	var loaded, kept []Visit
	for _, v := range stored {
		w, ok := win[v.ClientID]
		if ok && !v.End.Before(w.lo.Add(-VisitGap)) && !v.Start.After(w.hi.Add(VisitGap)) {
			loaded = append(loaded, v)
		} else {
			kept = append(kept, v)
		}
	}
	return sortVisits(append(kept, Fold(loaded, batch)...))
}

func sortVisits(vs []Visit) []Visit {
	slices.SortFunc(vs, func(a, b Visit) int {
		if a.ClientID != b.ClientID {
			if a.ClientID < b.ClientID {
				return -1
			}
			return 1
		}
		return a.Start.Compare(b.Start)
	})
	return vs
}

// TestVisitsOrderInsensitive is the property visits rest on: any
// permutation of any multiset of events, split into batches of any size
// and folded batch by batch — with the visits stored and loaded as JSON in
// between, and only the visits near each batch loaded — gives the visits of
// sorting the distinct events once.
func TestVisitsOrderInsensitive(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 0x5eed))
	for i := range propertyCases {
		events := make([]StorefrontEvent, 1+r.IntN(14))
		for j := range events {
			events[j] = genStorefrontEvent(r.IntN, j)
		}
		want := visitsBySorting(events)
		if got := Fold(nil, events); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: Fold differs from the definition\nevents %+v\n got %+v\nwant %+v", i, events, got, want)
		}

		var replay []StorefrontEvent
		for _, e := range events {
			for range 1 + r.IntN(3) {
				replay = append(replay, e)
			}
		}
		r.Shuffle(len(replay), func(a, b int) { replay[a], replay[b] = replay[b], replay[a] })
		var stored []Visit
		for rest := replay; len(rest) > 0; {
			n := 1 + r.IntN(len(rest))
			stored = roundTrip(t, foldLikeTheStore(stored, rest[:n]))
			rest = rest[n:]
		}
		if !reflect.DeepEqual(stored, want) {
			t.Fatalf("case %d: batches in another order differ\nevents %+v\nreplay %+v\n got %+v\nwant %+v", i, events, replay, stored, want)
		}
		if again := Fold(stored, events); !reflect.DeepEqual(again, want) {
			t.Fatalf("case %d: re-applying the events changed the visits\n got %+v\nwant %+v", i, again, want)
		}
	}
}

func TestVisitMergeLaws(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 0x5eed))
	id := 0
	visit := func() Visit {
		var v Visit
		for range r.IntN(4) {
			e := genStorefrontEvent(r.IntN, id)
			e.ClientID = "c1"
			id++
			v = MergeVisits(v, VisitOf(e))
		}
		return v
	}
	for i := range propertyCases {
		a, b, c := visit(), visit(), visit()
		if ab, ba := MergeVisits(a, b), MergeVisits(b, a); !reflect.DeepEqual(ab, ba) {
			t.Fatalf("case %d: not commutative\na %+v\nb %+v\nab %+v\nba %+v", i, a, b, ab, ba)
		}
		if l, rr := MergeVisits(MergeVisits(a, b), c), MergeVisits(a, MergeVisits(b, c)); !reflect.DeepEqual(l, rr) {
			t.Fatalf("case %d: not associative\n(ab)c %+v\na(bc) %+v", i, l, rr)
		}
		if aa := MergeVisits(a, a); !reflect.DeepEqual(aa, a) {
			t.Fatalf("case %d: not idempotent\n a %+v\naa %+v", i, a, aa)
		}
		if z := MergeVisits(Visit{}, a); !reflect.DeepEqual(z, a) {
			t.Fatalf("case %d: zero Visit is not the identity\n%+v\n%+v", i, a, z)
		}
		if ab := MergeVisits(a, b); !reflect.DeepEqual(MergeVisits(a, ab), ab) {
			t.Fatalf("case %d: not absorbing", i)
		}
	}
}

func TestVisitOfIsCanonical(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 0x5eed))
	for i := range propertyCases {
		v := VisitOf(genStorefrontEvent(r.IntN, i))
		if c := MergeVisits(v, Visit{}); !reflect.DeepEqual(c, v) {
			t.Fatalf("case %d: VisitOf not canonical\n got %+v\ncanon %+v", i, v, c)
		}
	}
}
