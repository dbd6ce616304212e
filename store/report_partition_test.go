package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// partitionBase is when the random histories start; they span three days.
var partitionBase = time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC)

// randomJourney is the events of one random shopper: a cart, maybe a
// checkout that advances step by step (its country, source and customer
// appear only at their step), maybe an order that may or may not repeat
// them, or an express order with nothing before it.
func randomJourney(r *rand.Rand, i int) []funnel.Event {
	cart, chk := fmt.Sprintf("cart-%d", i), fmt.Sprintf("chk-%d", i)
	start := partitionBase.Add(time.Duration(r.IntN(3*24*60)) * time.Minute)
	value := int64(500 + r.IntN(40000))
	items := []funnel.LineItem{{Title: "Mug", Quantity: 1 + r.IntN(3)}}
	at := func(min int) time.Time { return start.Add(time.Duration(min) * time.Minute) }
	if r.IntN(10) == 0 {
		return []funnel.Event{{Kind: funnel.KindOrder, CheckoutToken: chk, CreatedAt: at(0), UpdatedAt: at(0),
			Value: value, Currency: "USD", ItemCount: 1, LineItems: items,
			Country: oneOf(r, "US", "DE", ""), SourceName: oneOf(r, "web", "")}}
	}
	events := []funnel.Event{{Kind: funnel.KindCart, CartToken: cart, CreatedAt: at(0), UpdatedAt: at(r.IntN(30)),
		Value: value, Currency: "USD", ItemCount: 1, LineItems: items}}
	if r.IntN(10) < 3 {
		return events
	}
	co := funnel.Event{Kind: funnel.KindCheckout, CartToken: cart, CheckoutToken: chk, CreatedAt: at(30), UpdatedAt: at(30),
		Value: value, Currency: "USD", ItemCount: 1, LineItems: items, RequiresShipping: true,
		SourceName: oneOf(r, "web", "web", "")}
	events = append(events, co)
	steps := r.IntN(4)
	if steps >= 1 {
		co.UpdatedAt, co.Email = at(35), fmt.Sprintf("shopper%d@example.com", i)
		co.ReturningKnown = r.IntN(3) > 0
		co.Returning = co.ReturningKnown && r.IntN(2) == 0
		events = append(events, co)
	}
	if steps >= 2 {
		co.UpdatedAt, co.HasShippingAddress, co.Country = at(40), true, oneOf(r, "US", "DE", "FR", "")
		events = append(events, co)
	}
	if steps >= 3 {
		co.UpdatedAt, co.HasShippingLine = at(45), true
		events = append(events, co)
	}
	if r.IntN(2) == 0 {
		// Some orders come days later, after the abandonment scan.
		done := at(50 + r.IntN(2)*3*24*60)
		o := funnel.Event{Kind: funnel.KindOrder, CartToken: cart, CheckoutToken: chk, CreatedAt: done, UpdatedAt: done,
			Value: value + 500, Currency: "USD", ItemCount: 1, LineItems: items, Email: co.Email}
		if r.IntN(2) == 0 {
			o.Country, o.SourceName = oneOf(r, "US", "DE"), "web"
		}
		events = append(events, o)
	}
	return events
}

func oneOf[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// sumTallies adds tallies field by field (counts and sums added, gaps
// gathered, the smallest currency kept), by reflection so that a field
// added to funnel.Tally cannot be left out of the partition check.
func sumTallies(t *testing.T, ts map[string]*funnel.Tally) funnel.Tally {
	t.Helper()
	var sum funnel.Tally
	out := reflect.ValueOf(&sum).Elem()
	for _, tally := range ts {
		in := reflect.ValueOf(tally).Elem()
		for f := range out.NumField() {
			o, i := out.Field(f), in.Field(f)
			switch {
			case o.Kind() == reflect.Int64:
				o.SetInt(o.Int() + i.Int())
			case o.Kind() == reflect.String:
				if s := i.String(); s != "" && (o.String() == "" || s < o.String()) {
					o.SetString(s)
				}
			case o.Kind() == reflect.Array && o.Type().Elem().Kind() == reflect.Int64:
				for k := range o.Len() {
					o.Index(k).SetInt(o.Index(k).Int() + i.Index(k).Int())
				}
			case o.Kind() == reflect.Array && o.Type().Elem().Kind() == reflect.Slice:
				for k := range o.Len() {
					o.Index(k).Set(reflect.AppendSlice(o.Index(k), i.Index(k)))
				}
			default:
				t.Fatalf("sumTallies does not know how to add Tally.%s (%s)", out.Type().Field(f).Name, o.Type())
			}
		}
	}
	return sum
}

// sortGaps sorts every stage's gaps, whose order the fold leaves open.
func sortGaps(ts ...*funnel.Tally) {
	for _, t := range ts {
		for st := range t.Durations {
			slices.Sort(t.Durations[st])
		}
	}
}

// TestSegmentsPartition is the segments' law over random histories,
// delivered out of order, duplicated and redelivered under new ids: for
// every segment kind the segments add up, field by field, stage by stage
// and drop-off by drop-off, to the unsegmented report, and each segment is
// what folding its sessions in Go gives.
func TestSegmentsPartition(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "partition.myshopify.com")
		r := rand.New(rand.NewPCG(11, 0))
		flagAt := partitionBase.Add(3*24*time.Hour + 2*time.Hour)
		var early, late []store.IngestItem
		n := 0
		deliver := func(ev funnel.Event, id string) store.IngestItem {
			return store.IngestItem{ShopID: shop.ID, Event: &ev, Delivery: delivery(id, shop.Domain, "checkouts/update", `{}`)}
		}
		for i := range 150 {
			for _, ev := range randomJourney(r, i) {
				n++
				id := fmt.Sprintf("wh-%d", n)
				batch := &early
				if !ev.UpdatedAt.Before(flagAt) {
					batch = &late
				}
				*batch = append(*batch, deliver(ev, id))
				switch r.IntN(10) {
				case 0, 1: // the same delivery again
					*batch = append(*batch, deliver(ev, id))
				case 2: // the same event under another webhook id
					*batch = append(*batch, deliver(ev, id+"-again"))
				}
			}
		}
		ingestShuffled := func(items []store.IngestItem) {
			r.Shuffle(len(items), func(a, b int) { items[a], items[b] = items[b], items[a] })
			for len(items) > 0 {
				k := min(len(items), 1+r.IntN(20))
				if _, err := s.IngestEvents(ctx, items[:k]); err != nil {
					t.Fatal(err)
				}
				items = items[k:]
			}
		}
		ingestShuffled(early)
		if _, err := flagAbandoned(ctx, s, shop.ID, flagAt, time.Hour); err != nil {
			t.Fatal(err)
		}
		ingestShuffled(late)
		// Visits joined to two sessions in three, by cart or checkout
		// token, so that device and landing page type split.
		storefrontVisitsFor(t, s, shop.ID, 150, rand.New(rand.NewPCG(12, 0)))

		now, idle := partitionBase.Add(6*24*time.Hour+5*time.Hour), time.Hour
		from, to := partitionBase, partitionBase.AddDate(0, 0, 6)
		whole, err := s.FunnelTally(ctx, shop.ID, from, to, now, idle, "")
		if err != nil {
			t.Fatal(err)
		}
		all := whole[store.AllSegment]
		sessions, total, err := s.ListSessions(ctx, store.SessionFilter{ShopID: shop.ID, Limit: store.MaxListLimit})
		if err != nil || total > store.MaxListLimit {
			t.Fatalf("listing sessions: %d, %v", total, err)
		}
		var recovered int
		for _, sess := range sessions {
			if sess.Status(now, idle) == funnel.StatusRecovered {
				recovered++
			}
		}
		if recovered == 0 || all.Furthest[funnel.StageCompleted] == 0 || all.AbandonedCarts == 0 || all.PaymentDropoffs == 0 {
			t.Fatalf("the random history lacks a status to test: %+v, %d recovered", all.Furthest, recovered)
		}
		wholeReport := funnel.BuildReport(*all)
		for _, segment := range funnel.Segments() {
			got, err := s.FunnelTally(ctx, shop.ID, from, to, now, idle, segment)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < 2 {
				t.Errorf("by %s: only %d segments, the history should split", segment, len(got))
			}
			sum := sumTallies(t, got)
			sortGaps(&sum, all)
			if !reflect.DeepEqual(sum, *all) {
				t.Errorf("by %s: the segments add up to\n%+v\nnot the whole\n%+v", segment, sum, *all)
			}
			// The reports add up too, stage by stage.
			for i, st := range wholeReport.Stages {
				var n, drop int64
				for _, seg := range got {
					rep := funnel.SegmentReport(*seg, segment)
					n += rep.Stages[i].Sessions
					drop += rep.Stages[i].DropoffFromPrevious
				}
				if n != st.Sessions || drop != st.DropoffFromPrevious {
					t.Errorf("by %s: %s adds up to %d sessions, %d dropped; whole %d, %d", segment, st.Key, n, drop, st.Sessions, st.DropoffFromPrevious)
				}
			}
			// Each segment is the fold of its own sessions.
			want := map[string]*funnel.Tally{}
			for _, sess := range sessions {
				key := funnel.SegmentValue(sess, segment)
				if want[key] == nil {
					want[key] = &funnel.Tally{}
				}
				want[key].Add(sess, now, idle)
			}
			for _, m := range []map[string]*funnel.Tally{got, want} {
				for _, t := range m {
					sortGaps(t)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("by %s: SQL segments differ from folding the sessions", segment)
			}
		}
	})
}
