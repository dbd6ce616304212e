package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// The report dataset: statuses are taken at reportNow with reportIdle.
var (
	day1       = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	day2       = day1.AddDate(0, 0, 1)
	day3       = day1.AddDate(0, 0, 2)
	day4       = day1.AddDate(0, 0, 3)
	reportNow  = day3.Add(22 * time.Hour)
	reportIdle = time.Hour
)

// seedReport fills the shop with seven sessions, one or two per status,
// and returns their expected status by key.
func seedReport(t *testing.T, s *store.Store, shopID int64, prefix string) map[string]funnel.Status {
	t.Helper()
	ctx := context.Background()
	k := func(name string) string { return prefix + name }
	n := 0
	in := func(ev funnel.Event) {
		n++
		ingest(t, s, shopID, fmt.Sprintf("%d-%s-wh-%d", shopID, prefix, n), ev)
	}
	// c1: a cart on day 1, idle: abandoned cart.
	in(cartEvent(k("c1"), day1.Add(10*time.Hour), day1.Add(10*time.Hour+5*time.Minute), 1000))
	// c2: a checkout without contact on day 1: checkout drop-off.
	in(funnel.Event{Kind: funnel.KindCheckout, CartToken: k("c2"), CheckoutToken: k("co2"),
		CreatedAt: day1.Add(11 * time.Hour), UpdatedAt: day1.Add(11 * time.Hour), Value: 2000, Currency: "USD", ItemCount: 2})
	// c3: a checkout with everything before payment on day 1: payment drop-off.
	co3 := checkoutEvent(k("c3"), k("co3"), day1.Add(12*time.Hour), day1.Add(12*time.Hour+10*time.Minute), 3000)
	co3.HasShippingLine = true
	in(co3)
	// c4: cart and order on day 2: completed.
	in(cartEvent(k("c4"), day2.Add(9*time.Hour), day2.Add(9*time.Hour), 4000))
	in(orderEvent(k("c4"), k("co4"), day2.Add(9*time.Hour+30*time.Minute), 4000))
	// c6: a cart on day 2, flagged abandoned, then ordered: recovered.
	in(cartEvent(k("c6"), day2.Add(8*time.Hour), day2.Add(8*time.Hour), 6000))
	flagged, err := flagAbandoned(ctx, s, shopID, day2.Add(12*time.Hour), reportIdle)
	if err != nil {
		t.Fatal(err)
	}
	// The idle day-1 sessions are flagged too; that does not change their
	// status, only c6's once it completes.
	if got := keys(flagged); !reflect.DeepEqual(got, []string{k("c1"), k("c2"), k("c3"), k("c6")}) {
		t.Fatalf("the scan flagged %v, want c1, c2, c3, c6", got)
	}
	in(orderEvent(k("c6"), k("co6"), day2.Add(13*time.Hour), 6000))
	// c5: a cart on day 3 updated 10 minutes ago: active.
	in(cartEvent(k("c5"), day3.Add(21*time.Hour), reportNow.Add(-10*time.Minute), 500))
	// c7: a cart idle for exactly the threshold: abandoned cart.
	in(cartEvent(k("c7"), day3.Add(20*time.Hour), reportNow.Add(-reportIdle), 1200))
	return map[string]funnel.Status{
		k("c1"): funnel.StatusAbandonedCart,
		k("c2"): funnel.StatusCheckoutDropoff,
		k("c3"): funnel.StatusPaymentDropoff,
		k("c4"): funnel.StatusCompleted,
		k("c5"): funnel.StatusActive,
		k("c6"): funnel.StatusRecovered,
		k("c7"): funnel.StatusAbandonedCart,
	}
}

// keys returns the sessions' keys in order.
func keys(ss []funnel.Session) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key
	}
	return out
}

func TestListSessions(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "list-a.myshopify.com")
		b := storetest.Install(t, s, "list-b.myshopify.com")
		want := seedReport(t, s, a.ID, "")
		seedReport(t, s, b.ID, "") // same tokens in another shop
		base := store.SessionFilter{ShopID: a.ID, Now: reportNow, Idle: reportIdle}

		all, total, err := s.ListSessions(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		if total != 7 || len(all) != 7 {
			t.Fatalf("ListSessions = %d sessions, total %d; want 7", len(all), total)
		}
		if got := keys(all); !reflect.DeepEqual(got, []string{"c5", "c7", "c4", "c6", "c3", "c2", "c1"}) {
			t.Errorf("default order = %v, want newest first", got)
		}
		for _, sess := range all {
			if st := sess.Status(reportNow, reportIdle); st != want[sess.Key] {
				t.Errorf("dataset: %s has status %s, want %s", sess.Key, st, want[sess.Key])
			}
		}

		// The SQL status filter agrees with funnel.Session.Status.
		for _, st := range funnel.Statuses() {
			f := base
			f.Status = st
			got, n, err := s.ListSessions(ctx, f)
			if err != nil {
				t.Fatalf("status %s: %v", st, err)
			}
			var exp []string
			for _, sess := range all {
				if sess.Status(reportNow, reportIdle) == st {
					exp = append(exp, sess.Key)
				}
			}
			if !reflect.DeepEqual(keys(got), exp) || n != int64(len(exp)) {
				t.Errorf("status %s: got %v (total %d), want %v", st, keys(got), n, exp)
			}
		}
		f := base
		f.Status = "bogus"
		if _, _, err := s.ListSessions(ctx, f); err == nil {
			t.Error("unknown status accepted")
		}

		// Half-open ranges of instants on started_at.
		for _, tc := range []struct {
			from, to time.Time
			want     []string
		}{
			{day2, day3, []string{"c4", "c6"}},
			{day1, day3, []string{"c4", "c6", "c3", "c2", "c1"}},
			{day3, time.Time{}, []string{"c5", "c7"}},
			{time.Time{}, day2, []string{"c3", "c2", "c1"}},
			// c6 started at 08:00 and c4 at 09:00 on day 2.
			{day2.Add(8 * time.Hour), day2.Add(9 * time.Hour), []string{"c6"}},
		} {
			f := base
			f.From, f.To = tc.from, tc.to
			got, n, err := s.ListSessions(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(keys(got), tc.want) || n != int64(len(tc.want)) {
				t.Errorf("range %v..%v = %v (total %d), want %v", tc.from, tc.to, keys(got), n, tc.want)
			}
		}

		// Pagination keeps the total.
		var paged []string
		for off := 0; off < 7; off += 3 {
			f := base
			f.Limit, f.Offset = 3, off
			got, n, err := s.ListSessions(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if n != 7 {
				t.Errorf("page at %d: total %d", off, n)
			}
			paged = append(paged, keys(got)...)
		}
		if !reflect.DeepEqual(paged, keys(all)) {
			t.Errorf("pages = %v, want %v", paged, keys(all))
		}

		// Ordering by value and by start, both directions.
		f = base
		f.OrderBy, f.Desc = "value", true
		got, _, err := s.ListSessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(keys(got), []string{"c6", "c4", "c3", "c2", "c7", "c1", "c5"}) {
			t.Errorf("by value desc = %v", keys(got))
		}
		f.OrderBy, f.Desc = "started_at", false
		got, _, err = s.ListSessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(keys(got), []string{"c1", "c2", "c3", "c6", "c4", "c7", "c5"}) {
			t.Errorf("by start asc = %v", keys(got))
		}
		f.OrderBy = "email; DROP TABLE sessions"
		if _, _, err := s.ListSessions(ctx, f); err == nil {
			t.Error("unknown order accepted")
		}
	})
}

func TestFunnelTally(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "tally-a.myshopify.com")
		b := storetest.Install(t, s, "tally-b.myshopify.com")
		seedReport(t, s, a.ID, "")
		seedReport(t, s, b.ID, "b-")
		ingest(t, s, b.ID, "b-extra", cartEvent("b-extra", day1, day1, 99999))

		got, err := s.FunnelTally(ctx, a.ID, day1, day4, reportNow, reportIdle, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[store.AllSegment] == nil {
			t.Fatalf("tally keys = %v, want only %q", got, store.AllSegment)
		}
		all := got[store.AllSegment]
		wantFurthest := [funnel.StageCompleted + 1]int64{0, 3, 1, 0, 0, 1, 2}
		if all.Furthest != wantFurthest {
			t.Errorf("Furthest = %v, want %v", all.Furthest, wantFurthest)
		}
		if all.AbandonedCarts != 2 || all.CheckoutDropoffs != 1 || all.PaymentDropoffs != 1 {
			t.Errorf("drop-offs = %d/%d/%d, want 2/1/1", all.AbandonedCarts, all.CheckoutDropoffs, all.PaymentDropoffs)
		}
		if all.ValueAtRisk != 1000+1200+2000+3000 || all.CartsAtRisk != 4 || all.RecoveredValue != 6000 || all.Currency != "USD" {
			t.Errorf("values = risk %d in %d carts, recovered %d, %q", all.ValueAtRisk, all.CartsAtRisk, all.RecoveredValue, all.Currency)
		}
		// c5 is still shopping at the cart: not a drop-off, counted apart.
		if all.Active != [funnel.StageCompleted + 1]int64{0, 1, 0, 0, 0, 0, 0} || all.UnorderedValue != 1000+2000+3000+500+1200 {
			t.Errorf("active = %v, unordered value %d", all.Active, all.UnorderedValue)
		}

		// It equals folding the listed sessions with Tally.Add.
		sessions, _, err := s.ListSessions(ctx, store.SessionFilter{ShopID: a.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(sessions) // fold order must not matter except for Durations order
		var folded funnel.Tally
		for _, sess := range sessions {
			folded.Add(sess, reportNow, reportIdle)
		}
		for st := range folded.Durations {
			slices.Sort(folded.Durations[st])
			slices.Sort(all.Durations[st])
		}
		if !reflect.DeepEqual(*all, folded) {
			t.Errorf("tally =\n%+v\nfolded\n%+v", *all, folded)
		}

		// A date range keeps only sessions started in it.
		day, err := s.FunnelTally(ctx, a.ID, day1, day2, reportNow, reportIdle, "")
		if err != nil {
			t.Fatal(err)
		}
		if f := day[store.AllSegment].Furthest; f != [funnel.StageCompleted + 1]int64{0, 1, 1, 0, 0, 1, 0} {
			t.Errorf("day-1 Furthest = %v", f)
		}

		// Segments: one tally per value.
		seg, err := s.FunnelTally(ctx, a.ID, day1, day4, reportNow, reportIdle, funnel.SegmentCountry)
		if err != nil {
			t.Fatal(err)
		}
		if len(seg) != 2 || seg["DE"] == nil || seg["unknown"] == nil {
			t.Fatalf("country segments = %v", seg)
		}
		// c3 (checkout) and c4, c6 (orders) carry DE; carts c1, c5, c7 and
		// the bare checkout c2 do not.
		if de := seg["DE"].Furthest; de != [funnel.StageCompleted + 1]int64{0, 0, 0, 0, 0, 1, 2} {
			t.Errorf("DE Furthest = %v", de)
		}
		// Every segmentation equals folding each segment's sessions with Tally.Add.
		for _, segment := range funnel.Segments() {
			got, err := s.FunnelTally(ctx, a.ID, day1, day4, reportNow, reportIdle, segment)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]*funnel.Tally{}
			for _, sess := range sessions {
				key := funnel.SegmentValue(sess, segment)
				if want[key] == nil {
					want[key] = &funnel.Tally{}
				}
				want[key].Add(sess, reportNow, reportIdle)
			}
			for _, m := range []map[string]*funnel.Tally{got, want} {
				for _, t := range m {
					for st := range t.Durations {
						slices.Sort(t.Durations[st])
					}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("by %s:\n got %v\nwant %v", segment, got, want)
			}
		}
		if _, err := s.FunnelTally(ctx, a.ID, day1, day4, reportNow, reportIdle, "bogus"); err == nil {
			t.Error("unknown segment accepted")
		}
		// An empty range still returns the "all" tally, empty.
		empty, err := s.FunnelTally(ctx, a.ID, day1.AddDate(-1, 0, 0), day2.AddDate(-1, 0, 0), reportNow, reportIdle, "")
		if err != nil || empty[store.AllSegment] == nil || empty[store.AllSegment].Furthest != [funnel.StageCompleted + 1]int64{} {
			t.Errorf("empty range = %v, %v", empty, err)
		}
	})
}

// TestFunnelTallyRecoverWindow checks the edges of value at risk (idle
// for the threshold, abandoned less than funnel.RecoverWindow ago) and of
// the still-active count, in the rollup and the segmented tallies alike,
// against folding the sessions with funnel.Tally.Add.
func TestFunnelTallyRecoverWindow(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "window-a.myshopify.com")
		b := storetest.Install(t, s, "window-b.myshopify.com")
		idle := time.Hour
		now := day3.Add(20 * 24 * time.Hour)
		start := now.Add(-8 * 24 * time.Hour)
		edge := now.Add(-idle - funnel.RecoverWindow) // what funnel.RecoverableSince(now, idle) returns
		payment := func(key string, last time.Time, value int64) funnel.Event {
			ev := checkoutEvent(key, "co-"+key, start, last, value)
			ev.HasShippingLine = true
			return ev
		}
		for _, shop := range []store.Shop{a, b} {
			p := shop.Domain
			// w1: abandoned exactly RecoverWindow ago: no longer at risk.
			ingest(t, s, shop.ID, p+"w1", cartEvent("w1", start, edge, 100))
			// w2: a microsecond later: a checkout drop-off still at risk.
			ingest(t, s, shop.ID, p+"w2", funnel.Event{Kind: funnel.KindCheckout, CartToken: "w2", CheckoutToken: "co-w2",
				CreatedAt: start, UpdatedAt: edge.Add(time.Microsecond), Value: 200, Currency: "USD", ItemCount: 1})
			// w3: idle for exactly the threshold: a payment drop-off at risk.
			ingest(t, s, shop.ID, p+"w3", payment("w3", now.Add(-idle), 400))
			// w4: a microsecond short of it: still shopping at payment.
			ingest(t, s, shop.ID, p+"w4", payment("w4", now.Add(-idle+time.Microsecond), 800))
			// w5: ordered: never at risk.
			ingest(t, s, shop.ID, p+"w5", cartEvent("w5", start, start, 1600))
			ingest(t, s, shop.ID, p+"w5o", orderEvent("w5", "co-w5", start.Add(time.Hour), 1600))
			// w6, w7: empty carts, one idle within the window, one active.
			ingest(t, s, shop.ID, p+"w6", funnel.Event{Kind: funnel.KindCart, CartToken: "w6", CreatedAt: start, UpdatedAt: now.Add(-2 * idle)})
			ingest(t, s, shop.ID, p+"w7", funnel.Event{Kind: funnel.KindCart, CartToken: "w7", CreatedAt: start, UpdatedAt: now})
		}
		sessions, _, err := s.ListSessions(ctx, store.SessionFilter{ShopID: a.ID, Limit: 100})
		if err != nil || len(sessions) != 7 {
			t.Fatalf("sessions %d, %v", len(sessions), err)
		}
		from, to := start.AddDate(0, 0, -1), now
		check := func(now time.Time, risk, carts int64, active [funnel.StageCompleted + 1]int64) {
			t.Helper()
			var folded funnel.Tally
			bySegment := map[string]map[string]*funnel.Tally{}
			for _, segment := range funnel.Segments() {
				bySegment[segment] = map[string]*funnel.Tally{}
			}
			for _, sess := range sessions {
				folded.Add(sess, now, idle)
				for segment, m := range bySegment {
					key := funnel.SegmentValue(sess, segment)
					if m[key] == nil {
						m[key] = &funnel.Tally{}
					}
					m[key].Add(sess, now, idle)
				}
			}
			if folded.ValueAtRisk != risk || folded.CartsAtRisk != carts || folded.Active != active {
				t.Errorf("at %s: Add gives risk %d in %d carts, active %v; want %d in %d, %v",
					now, folded.ValueAtRisk, folded.CartsAtRisk, folded.Active, risk, carts, active)
			}
			got, err := s.FunnelTally(ctx, a.ID, from, to, now, idle, "")
			if err != nil {
				t.Fatal(err)
			}
			all := got[store.AllSegment]
			for st := range folded.Durations {
				slices.Sort(folded.Durations[st])
				slices.Sort(all.Durations[st])
			}
			if !reflect.DeepEqual(*all, folded) {
				t.Errorf("at %s: rollup tally\n%+v\nfolded\n%+v", now, *all, folded)
			}
			for segment, want := range bySegment {
				got, err := s.FunnelTally(ctx, a.ID, from, to, now, idle, segment)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range []map[string]*funnel.Tally{got, want} {
					for _, t := range m {
						for st := range t.Durations {
							slices.Sort(t.Durations[st])
						}
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("at %s by %s:\n got %v\nwant %v", now, segment, got, want)
				}
			}
		}
		// At now: w2 and w3 at risk; w4 and the empty w7 still shopping.
		check(now, 200+400, 2, [funnel.StageCompleted + 1]int64{1, 0, 0, 0, 0, 1, 0})
		// A microsecond earlier w1 was still within the window, and w3 was
		// a microsecond short of idle.
		check(now.Add(-time.Microsecond), 100+200, 2, [funnel.StageCompleted + 1]int64{1, 0, 0, 0, 0, 2, 0})
	})
}

func TestFlagAbandonedBoundary(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "flag-a.myshopify.com")
		b := storetest.Install(t, s, "flag-b.myshopify.com")
		last := at(10 * time.Minute)
		ingest(t, s, a.ID, "f1", cartEvent("cart", at(0), last, 100))
		ingest(t, s, b.ID, "f2", cartEvent("cart", at(0), last, 100))
		// A completed session and an empty cart are never flagged.
		ingest(t, s, a.ID, "f3", orderEvent("done", "co", at(0), 100))
		ingest(t, s, a.ID, "f4", funnel.Event{Kind: funnel.KindCart, CartToken: "empty", CreatedAt: at(0), UpdatedAt: at(0)})
		idle := time.Hour

		got, err := flagAbandoned(ctx, s, a.ID, last.Add(idle-time.Microsecond), idle)
		if err != nil || len(got) != 0 {
			t.Fatalf("before the threshold: flagged %v, %v", keys(got), err)
		}
		now := last.Add(idle)
		got, err = flagAbandoned(ctx, s, a.ID, now, idle)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Key != "cart" || got[0].AbandonedAt == nil || !got[0].AbandonedAt.Equal(now) {
			t.Fatalf("at the threshold: flagged %+v", got)
		}
		if st := got[0].Status(now, idle); st != funnel.StatusAbandonedCart {
			t.Errorf("flagged session status %s", st)
		}
		got, err = flagAbandoned(ctx, s, a.ID, now.Add(time.Hour), idle)
		if err != nil || len(got) != 0 {
			t.Errorf("second scan flagged %v, %v", keys(got), err)
		}
		// The other shop's identical session is untouched.
		other, err := s.SessionByKey(ctx, b.ID, "cart")
		if err != nil || other.AbandonedAt != nil {
			t.Errorf("shop b session = %+v, %v", other, err)
		}
		// A flag survives later events (recovery needs it).
		ingest(t, s, a.ID, "f5", orderEvent("cart", "co-cart", now.Add(time.Hour), 100))
		rec, err := s.SessionByKey(ctx, a.ID, "cart")
		if err != nil || rec.Status(now.Add(2*time.Hour), idle) != funnel.StatusRecovered {
			t.Errorf("after the order: %+v, %v", rec, err)
		}
	})
}

// TestFlagAbandonedBacklog checks that one scan flags a backlog larger
// than one transaction's share, every session of it once, and leaves the
// other shop's alone.
func TestFlagAbandonedBacklog(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "backlog-a.myshopify.com")
		b := storetest.Install(t, s, "backlog-b.myshopify.com")
		const n = 2500 // two and a half transactions' worth
		// The other shop's idle carts, a few: enough to show the scan
		// leaves them alone, at the same times as the first shop's oldest.
		const nb = 50
		for _, shop := range []store.Shop{a, b} {
			var items []store.IngestItem
			count := n
			if shop.ID == b.ID {
				count = nb
			}
			for i := range count {
				ev := cartEvent(fmt.Sprintf("cart-%d", i), at(0), at(time.Duration(i)*time.Second), 100)
				items = append(items, store.IngestItem{ShopID: shop.ID, Event: &ev,
					Delivery: delivery(fmt.Sprintf("%s-%d", shop.Domain, i), shop.Domain, "carts/update", `{}`)})
			}
			for len(items) > 0 { // in the app's batch size: SQLite caps a statement's variables
				k := min(len(items), 64)
				if _, err := s.IngestEvents(ctx, items[:k]); err != nil {
					t.Fatal(err)
				}
				items = items[k:]
			}
		}
		now := at(n*time.Second + 2*time.Hour)
		got, err := flagAbandoned(ctx, s, a.ID, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, sess := range got {
			seen[sess.Key] = true
		}
		if len(got) != n || len(seen) != n {
			t.Fatalf("flagged %d sessions (%d distinct), want %d", len(got), len(seen), n)
		}
		if unflagged := countRows(t, s, "sessions", "shop_id = $1 AND abandoned_at IS NULL", a.ID); unflagged != 0 {
			t.Errorf("%d sessions left unflagged", unflagged)
		}
		if idleB := countRows(t, s, "sessions", "shop_id = $1", b.ID); idleB != nb {
			t.Errorf("the other shop has %d sessions, want %d", idleB, nb)
		}
		if flaggedB := countRows(t, s, "sessions", "shop_id = $1 AND abandoned_at IS NOT NULL", b.ID); flaggedB != 0 {
			t.Errorf("%d sessions of the other shop flagged", flaggedB)
		}
		// The most recently active come first (the first transaction's
		// 1,000), so alerts go out first for the carts still worth saving.
		if first := got[0]; first.LastActivity.Before(at((n - 1000) * time.Second)) {
			t.Errorf("first flagged %s, last active %s: not one of the 1,000 most recent", first.Key, first.LastActivity)
		}
		if again, err := flagAbandoned(ctx, s, a.ID, now, time.Hour); err != nil || len(again) != 0 {
			t.Errorf("second scan flagged %d, %v", len(again), err)
		}
	})
}
