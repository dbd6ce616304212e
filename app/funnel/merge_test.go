package funnel

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// propertyCases is how many random cases each property test draws: 2,000,
// or 500 under the race detector (race_test.go), which has nothing to find
// in these single-goroutine laws and makes each case about ten times
// dearer; .ci/run runs them once more without it, with all 2,000.
const propertyCases = 2000 / raceSlowdown

func newRand(t *testing.T, seed uint64) (*rand.Rand, chooser) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	return r, r.IntN
}

func fold(s Session, events []Event) Session {
	for _, e := range events {
		s = s.Apply(e)
	}
	return s
}

// mergeTree merges FromEvent of every event pairwise, bottom up, so that the
// grouping differs from a left fold.
func mergeTree(events []Event) Session {
	if len(events) == 0 {
		return Session{}
	}
	if len(events) == 1 {
		return FromEvent(events[0])
	}
	mid := len(events) / 2
	return Merge(mergeTree(events[:mid]), mergeTree(events[mid:]))
}

// TestApplyOrderInsensitive is the property ingestion rests on (the merge
// laws of docs/architecture.md): any permutation of any multiset of one
// journey's events, with duplicates, leaves the same session, field by
// field.
func TestApplyOrderInsensitive(t *testing.T) {
	mono := time.Now()
	r, pick := newRand(t, 1)
	for i := range propertyCases {
		events := make([]Event, 1+r.IntN(8))
		for j := range events {
			events[j] = genEvent(pick, mono)
		}
		var start Session
		if r.IntN(4) == 0 {
			start.AbandonedAt = genTimePtr(pick, mono)
		}
		want := fold(start, events)

		var replay []Event
		for _, e := range events {
			for range 1 + r.IntN(3) {
				replay = append(replay, e)
			}
		}
		r.Shuffle(len(replay), func(a, b int) { replay[a], replay[b] = replay[b], replay[a] })

		if got := fold(start, replay); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: replay in another order differs\nevents %+v\nreplay %+v\n got %+v\nwant %+v", i, events, replay, got, want)
		}
		if got := Merge(mergeTree(replay), start); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: merge tree differs from fold\n got %+v\nwant %+v", i, got, want)
		}
		if got := fold(want, replay); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: reapplying the events changed the session\n got %+v\nwant %+v", i, got, want)
		}
	}
}

func TestMergeLaws(t *testing.T) {
	mono := time.Now()
	r, pick := newRand(t, 2)
	session := func() Session {
		if r.IntN(2) == 0 {
			return genSession(pick, mono)
		}
		s := Session{}
		for range r.IntN(4) {
			s = s.Apply(genEvent(pick, mono))
		}
		if r.IntN(3) == 0 {
			s.AbandonedAt = genTimePtr(pick, mono)
		}
		return s
	}
	for i := range propertyCases {
		a, b, c := session(), session(), session()
		if ab, ba := Merge(a, b), Merge(b, a); !reflect.DeepEqual(ab, ba) {
			t.Fatalf("case %d: not commutative\na %+v\nb %+v\nab %+v\nba %+v", i, a, b, ab, ba)
		}
		if l, rr := Merge(Merge(a, b), c), Merge(a, Merge(b, c)); !reflect.DeepEqual(l, rr) {
			t.Fatalf("case %d: not associative\na %+v\nb %+v\nc %+v\n(ab)c %+v\na(bc) %+v", i, a, b, c, l, rr)
		}
		// A session from outside may not be canonical, so Merge(a, a) is
		// its canonical form; on that form Merge is exactly idempotent and
		// the zero Session is exactly the identity.
		canon := Merge(a, Session{})
		if aa := Merge(a, a); !reflect.DeepEqual(aa, canon) {
			t.Fatalf("case %d: Merge(a, a) is not a's canonical form\na  %+v\naa %+v\ncanon %+v", i, a, aa, canon)
		}
		if cc := Merge(canon, canon); !reflect.DeepEqual(cc, canon) {
			t.Fatalf("case %d: not idempotent\n%+v\n%+v", i, canon, cc)
		}
		if z := Merge(Session{}, canon); !reflect.DeepEqual(z, canon) {
			t.Fatalf("case %d: zero Session is not the identity\n%+v\n%+v", i, canon, z)
		}
		// Absorption, which a join must satisfy: merging in something
		// already merged changes nothing.
		ab := Merge(a, b)
		if aab := Merge(a, ab); !reflect.DeepEqual(aab, ab) {
			t.Fatalf("case %d: Merge(a, Merge(a, b)) != Merge(a, b)", i)
		}
	}
}

func TestFromEventIsCanonical(t *testing.T) {
	mono := time.Now()
	_, pick := newRand(t, 3)
	for i := range propertyCases {
		e := genEvent(pick, mono)
		s := FromEvent(e)
		if c := Merge(s, Session{}); !reflect.DeepEqual(c, s) {
			t.Fatalf("case %d: FromEvent not canonical\nevent %+v\n got %+v\ncanon %+v", i, e, s, c)
		}
		if s.Key != KeyOf(e) && e.Kind.Valid() {
			t.Fatalf("case %d: Key %q, KeyOf %q", i, s.Key, KeyOf(e))
		}
	}
}
