package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// batchStep is one delivery of the batch scenario.
type batchStep struct {
	id  string
	ev  funnel.Event
	dup bool // a redelivery: recorded before, or earlier in its batch
}

// batchScenario is three batches whose deliveries merge sessions inside a
// batch, across batches and in the database (two stored sessions into
// one), with redeliveries of both kinds.
func batchScenario() [][]batchStep {
	return [][]batchStep{{
		{id: "1", ev: checkoutEvent("", "co1", at(time.Minute), at(2*time.Minute), 1500)},
		{id: "2", ev: orderEvent("c2", "co2", at(3*time.Minute), 2500)},
		{id: "3", ev: cartEvent("c3", at(0), at(time.Minute), 900)},
		{id: "3", ev: cartEvent("c3", at(0), at(time.Minute), 900), dup: true},
		{id: "4", ev: checkoutEvent("", "co5", at(time.Minute), at(4*time.Minute), 700)},
		{id: "5", ev: cartEvent("c3", at(0), at(5*time.Minute), 1900)},
	}, {
		{id: "6", ev: cartEvent("c1", at(0), at(30*time.Second), 1500)},
		{id: "7", ev: checkoutEvent("c1", "co1", at(time.Minute), at(6*time.Minute), 1500)},
		{id: "2", ev: orderEvent("c2", "co2", at(3*time.Minute), 2500), dup: true},
		{id: "8", ev: cartEvent("c5", at(0), at(20*time.Second), 700)},
		{id: "9", ev: cartEvent("c2", at(0), at(time.Minute), 2500)},
	}, {
		// Joins the stored co5 and c5 sessions into one.
		{id: "10", ev: checkoutEvent("c5", "co5", at(time.Minute), at(8*time.Minute), 700)},
		{id: "11", ev: orderEvent("c1", "co1", at(9*time.Minute), 1500)},
		{id: "11", ev: orderEvent("c1", "co1", at(9*time.Minute), 1500), dup: true},
	}}
}

// TestIngestEventsEqualsOneByOne checks that a batch leaves the sessions
// and the rollups exactly as applying its deliveries one at a time does,
// and reports the redeliveries.
func TestIngestEventsEqualsOneByOne(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		one := storetest.Install(t, s, "one-by-one.myshopify.com")
		batched := storetest.Install(t, s, "batched.myshopify.com")
		for n, batch := range batchScenario() {
			var items []store.IngestItem
			for _, st := range batch {
				dup, err := s.IngestEvent(ctx, one.ID, delivery("one-"+st.id, one.Domain, "x", `{}`), &st.ev)
				if err != nil || dup != st.dup {
					t.Fatalf("IngestEvent(%s) = %v, %v; want duplicate %v", st.id, dup, err, st.dup)
				}
				items = append(items, store.IngestItem{ShopID: batched.ID,
					Delivery: delivery("batched-"+st.id, batched.Domain, "x", `{}`), Event: &st.ev})
			}
			dups, err := s.IngestEvents(ctx, items)
			if err != nil {
				t.Fatalf("batch %d: %v", n, err)
			}
			for i, st := range batch {
				if dups[i] != st.dup {
					t.Errorf("batch %d item %d (%s): duplicate = %v, want %v", n, i, st.id, dups[i], st.dup)
				}
			}
		}

		want := sessionsByKey(t, s, one.ID)
		got := sessionsByKey(t, s, batched.ID)
		if len(want) != 4 {
			t.Fatalf("one by one: %d sessions, want 4 (c1, c2, c3, c5)", len(want))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("batched sessions =\n%+v\nwant\n%+v", got, want)
		}
		if n := countRows(t, s, "deliveries", "shop_id = $1", batched.ID); n != 11 {
			t.Errorf("%d deliveries recorded, want 11", n)
		}

		// The rollups kept by the batches are exact (as one by one, as
		// summed from the sessions, and as rebuilt from them), and so are
		// the timelines: each delivery recorded once, in the session its
		// event ended up in.
		rollups := sameAsOneByOne(t, s, batched.ID, one.ID, got)
		if err := s.RebuildRollups(ctx, batched.ID); err != nil {
			t.Fatal(err)
		}
		if w := rollupTotals(t, s, batched.ID); !reflect.DeepEqual(rollups, w) {
			t.Errorf("batched rollups = %v, rebuilt %v", rollups, w)
		}
		timelineInvariant(t, s, one.ID, 11)
		timelineInvariant(t, s, batched.ID, 11)
	})
}

// TestIngestEventsShopsApart checks that in a batch of two shops, each
// shop's event joins only its own shop's session under its token, when
// the other shop has a session under that token too.
func TestIngestEventsShopsApart(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "apart-a.myshopify.com")
		b := storetest.Install(t, s, "apart-b.myshopify.com")
		ingest(t, s, a.ID, "a-1", cartEvent("t1", at(0), at(time.Minute), 100))
		ingest(t, s, b.ID, "b-1", cartEvent("t2", at(0), at(time.Minute), 200))
		evA, evB := cartEvent("t2", at(0), at(2*time.Minute), 300), cartEvent("t1", at(0), at(2*time.Minute), 400)
		if _, err := s.IngestEvents(ctx, []store.IngestItem{
			{ShopID: a.ID, Delivery: delivery("a-2", a.Domain, "carts/update", `{}`), Event: &evA},
			{ShopID: b.ID, Delivery: delivery("b-2", b.Domain, "carts/update", `{}`), Event: &evB},
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			shop int64
			want map[string]int64
		}{{a.ID, map[string]int64{"t1": 100, "t2": 300}}, {b.ID, map[string]int64{"t1": 400, "t2": 200}}} {
			got := map[string]int64{}
			for key, sess := range sessionsByKey(t, s, tc.shop) {
				got[key] = sess.Value
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("shop %d: session values by key = %v, want %v", tc.shop, got, tc.want)
			}
		}
	})
}

// TestIngestEventsFailsWhole checks that a batch the database refuses
// records nothing of any of its deliveries.
func TestIngestEventsFailsWhole(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "whole.myshopify.com")
		good := cartEvent("good", at(0), at(time.Minute), 100)
		bad := cartEvent("bad", at(0), at(time.Minute), 100)
		_, err := s.IngestEvents(ctx, []store.IngestItem{
			{ShopID: sh.ID, Delivery: delivery("good", sh.Domain, "carts/create", `{}`), Event: &good},
			{ShopID: sh.ID + 1000, Delivery: delivery("bad", "nobody.myshopify.com", "carts/create", `{}`), Event: &bad},
		})
		if err == nil {
			t.Fatal("a batch with a delivery for a shop that does not exist was accepted")
		}
		if errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		for _, table := range []string{"deliveries", "sessions", "session_rollups"} {
			if n := countRows(t, s, table, "1 = 1"); n != 0 {
				t.Errorf("%d rows in %s after a refused batch, want 0", n, table)
			}
		}
		// The good delivery alone goes through afterwards.
		if dup, err := s.IngestEvent(ctx, sh.ID, delivery("good", sh.Domain, "carts/create", `{}`), &good); err != nil || dup {
			t.Fatalf("IngestEvent after the refused batch = %v, %v", dup, err)
		}
	})
}

// sameAsOneByOne checks that the rollups of shop batched, whose sessions
// are sessions, are those of shop one (the same deliveries one by one) and
// those summed from its sessions, and that its timelines are one's; it
// returns batched's rollups.
func sameAsOneByOne(t *testing.T, s *store.Store, batched, one int64, sessions map[string]funnel.Session) map[string]rollupSums {
	t.Helper()
	rollups := rollupTotals(t, s, batched)
	if w := rollupTotals(t, s, one); !reflect.DeepEqual(rollups, w) {
		t.Errorf("batched rollups = %v, one by one %v", rollups, w)
	}
	if w := quarterSums(sessions); !reflect.DeepEqual(rollups, w) {
		t.Errorf("batched rollups = %v, summed from the sessions %v", rollups, w)
	}
	if got, want := shopTimelines(t, s, batched), shopTimelines(t, s, one); !reflect.DeepEqual(got, want) {
		t.Errorf("batched timelines =\n%v\nwant\n%v", got, want)
	}
	return rollups
}

// sessionsByKey returns the shop's sessions by key.
func sessionsByKey(t *testing.T, s *store.Store, shopID int64) map[string]funnel.Session {
	t.Helper()
	list, _, err := s.ListSessions(context.Background(), store.SessionFilter{ShopID: shopID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]funnel.Session{}
	for _, sess := range list {
		out[sess.Key] = sess
	}
	return out
}

// rollupSums are one quarter's and currency's rollups: sessions by
// furthest stage 0 to 6, their value by furthest stage, and the value of
// the recovered ones.
type rollupSums [15]int64

// rollupTotals sums the shop's session_rollups over shards by quarter-hour
// and currency, zero rows left out.
func rollupTotals(t *testing.T, s *store.Store, shopID int64) map[string]rollupSums {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT quarter, currency,
			sum(sessions_0), sum(sessions_1), sum(sessions_2), sum(sessions_3), sum(sessions_4), sum(sessions_5), sum(sessions_6),
			sum(value_0), sum(value_1), sum(value_2), sum(value_3), sum(value_4), sum(value_5), sum(value_6), sum(recovered_value)
		FROM session_rollups WHERE shop_id = $1 GROUP BY quarter, currency`, shopID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]rollupSums{}
	for rows.Next() {
		var quarter int64
		var currency string
		var v rollupSums
		dest := []any{&quarter, &currency}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		if v != (rollupSums{}) {
			out[fmt.Sprintf("%d/%s", quarter, currency)] = v
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// quarterSums is what rollupTotals must give for the sessions: the oracle
// of the rollups, from the sessions' own start, stage and value.
func quarterSums(sessions map[string]funnel.Session) map[string]rollupSums {
	out := map[string]rollupSums{}
	for _, sess := range sessions {
		sec := sess.StartedAt.Unix()
		q := sec / 900
		if sec%900 < 0 {
			q--
		}
		k := fmt.Sprintf("%d/%s", q, sess.Currency)
		v := out[k]
		v[sess.Furthest()]++
		v[7+int(sess.Furthest())] += sess.Value
		if sess.CompletedAt != nil && sess.AbandonedAt != nil {
			v[14] += sess.Value
		}
		out[k] = v
	}
	return out
}

// TestIngestEventsRandomBatches checks, over random histories of a few
// carts and checkouts cut into random batches, that batches leave the
// sessions, rollups and timelines as one-by-one ingestion does.
func TestIngestEventsRandomBatches(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		for round := range 25 {
			one := storetest.Install(t, s, fmt.Sprintf("one-%d.myshopify.com", round))
			batched := storetest.Install(t, s, fmt.Sprintf("batched-%d.myshopify.com", round))
			var items []store.IngestItem
			applied := map[string]bool{}
			for i := range 10 + rng.IntN(15) {
				id := fmt.Sprintf("%d", i)
				if i > 0 && rng.IntN(6) == 0 {
					id = fmt.Sprintf("%d", rng.IntN(i)) // a redelivery
				}
				applied[id] = true
				ev := randomEvent(rng)
				if _, err := s.IngestEvent(ctx, one.ID, delivery(fmt.Sprintf("one-%d-%s", round, id), one.Domain, "x", `{}`), &ev); err != nil {
					t.Fatal(err)
				}
				items = append(items, store.IngestItem{ShopID: batched.ID,
					Delivery: delivery(fmt.Sprintf("batched-%d-%s", round, id), batched.Domain, "x", `{}`), Event: &ev})
			}
			for len(items) > 0 {
				n := min(len(items), 1+rng.IntN(8))
				if _, err := s.IngestEvents(ctx, items[:n]); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				items = items[n:]
			}
			if got, want := sessionsByKey(t, s, batched.ID), sessionsByKey(t, s, one.ID); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: batched sessions =\n%+v\nwant\n%+v", round, got, want)
			}
			if got, want := rollupTotals(t, s, batched.ID), rollupTotals(t, s, one.ID); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: batched rollups = %v, want %v", round, got, want)
			}
			if got, want := shopTimelines(t, s, batched.ID), shopTimelines(t, s, one.ID); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d: batched timelines =\n%v\nwant\n%v", round, got, want)
			}
			timelineInvariant(t, s, one.ID, len(applied))
			timelineInvariant(t, s, batched.ID, len(applied))
		}
	})
}

// randomEvent is a cart, checkout or order over three carts and three
// checkouts, some checkouts and orders without their cart.
func randomEvent(rng *rand.Rand) funnel.Event {
	cart := fmt.Sprintf("c%d", rng.IntN(3))
	checkout := fmt.Sprintf("k%d", rng.IntN(3))
	if rng.IntN(3) == 0 {
		cart = ""
	}
	created := at(time.Duration(rng.IntN(60)) * time.Minute)
	updated := created.Add(time.Duration(rng.IntN(90)) * time.Minute)
	value := int64(100 * (1 + rng.IntN(50)))
	switch rng.IntN(3) {
	case 0:
		if cart == "" {
			cart = "c0"
		}
		return cartEvent(cart, created, updated, value)
	case 1:
		return checkoutEvent(cart, checkout, created, updated, value)
	}
	return orderEvent(cart, checkout, updated, value)
}

// TestIngestEventsManyRowsAStatement checks batches larger than one
// multi-row statement carries on SQLite (sqliteStatementArgs): 90 new
// carts in one batch (sessions, deliveries, timeline entries and
// rollups of 90 quarters, each written in several statements), then a
// checkout for each (90 session updates), leave the sessions, rollups
// and timelines as one-by-one ingestion does.
func TestIngestEventsManyRowsAStatement(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		one := storetest.Install(t, s, "many-one.myshopify.com")
		batched := storetest.Install(t, s, "many-batched.myshopify.com")
		const n = 90 // sessionsByKey reads up to 100
		for round, event := range []func(i int) funnel.Event{
			func(i int) funnel.Event {
				return cartEvent(fmt.Sprintf("c%d", i), at(time.Duration(i)*15*time.Minute), at(time.Duration(i)*15*time.Minute+time.Minute), 100)
			},
			func(i int) funnel.Event {
				start := at(time.Duration(i) * 15 * time.Minute)
				return checkoutEvent(fmt.Sprintf("c%d", i), fmt.Sprintf("k%d", i), start.Add(2*time.Minute), start.Add(3*time.Minute), 100)
			},
		} {
			var items []store.IngestItem
			for i := range n {
				ev := event(i)
				id := fmt.Sprintf("%d-%d", round, i)
				if _, err := s.IngestEvent(ctx, one.ID, delivery("many-one-"+id, one.Domain, "x", `{}`), &ev); err != nil {
					t.Fatal(err)
				}
				items = append(items, store.IngestItem{ShopID: batched.ID, Delivery: delivery("many-batched-"+id, batched.Domain, "x", `{}`), Event: &ev})
			}
			dups, err := s.IngestEvents(ctx, items)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for i, dup := range dups {
				if dup {
					t.Fatalf("round %d: item %d counted a redelivery", round, i)
				}
			}
		}
		got, want := sessionsByKey(t, s, batched.ID), sessionsByKey(t, s, one.ID)
		if len(want) != n || !reflect.DeepEqual(got, want) {
			t.Fatalf("batched sessions (%d) =\n%+v\nwant (%d)\n%+v", len(got), got, len(want), want)
		}
		if d := countRows(t, s, "deliveries", "shop_id = $1", batched.ID); d != 2*n {
			t.Errorf("%d deliveries recorded, want %d", d, 2*n)
		}
		sameAsOneByOne(t, s, batched.ID, one.ID, got)
		timelineInvariant(t, s, batched.ID, 2*n)
	})
}
