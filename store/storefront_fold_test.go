package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestFoldStorefrontLater accepts many small groups of several clients'
// events, shuffled and repeated, folding none, then folds the inbox with
// three concurrent folders (each taking what the others do not hold):
// the visits and the rollups equal those of the same events accepted and
// folded at once, and of funnel.Fold, and nothing is left to fold.
func TestFoldStorefrontLater(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		once := storetest.Install(t, s, "once.myshopify.com")
		later := storetest.Install(t, s, "later.myshopify.com")
		var events []funnel.StorefrontEvent
		for i := range 30 {
			client := fmt.Sprintf("c%d", i%12) // some clients come back: two visits, or one merged
			events = append(events, storefrontVisit(client, fmt.Sprintf("cart-%d", i), fmt.Sprintf("chk-%d", i), t0.Add(-time.Duration(i)*17*time.Minute))...)
		}
		if err := storetest.IngestStorefront(ctx, s, []store.StorefrontBatch{{ShopID: once.ID, Events: events}}); err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(7, 8))
		mixed := append([]funnel.StorefrontEvent(nil), events...)
		for range 10 {
			mixed = append(mixed, events[r.IntN(len(events))])
		}
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		groups := 0
		for len(mixed) > 0 {
			k := min(len(mixed), 1+r.IntN(2))
			if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: later.ID, Events: mixed[:k]}}); err != nil {
				t.Fatal(err)
			}
			mixed, groups = mixed[k:], groups+1
		}
		if n := countRows(t, s, "visits", "shop_id = $1", later.ID); n != 0 {
			t.Fatalf("%d visits before any fold", n)
		}
		if n := countRows(t, s, "storefront_inbox", "shop_id = $1", later.ID); n < 65 || n > groups {
			t.Fatalf("%d inbox rows for %d groups: want one a group with a new event, more than one fold takes", n, groups)
		}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() {
				for {
					f, err := s.FoldStorefront(ctx)
					if err != nil || f.Rows == 0 {
						errs[i] = err
						return
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := countRows(t, s, "storefront_inbox", "true"); n != 0 {
			t.Errorf("%d inbox rows left after the folds", n)
		}
		from, to := t0.Add(-24*time.Hour), t0.Add(24*time.Hour)
		va, err := s.Visits(ctx, once.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		vb, err := s.Visits(ctx, later.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := funnel.Fold(nil, events)
		sortVisits(want)
		if len(va) < 12 || !reflect.DeepEqual(va, vb) || !reflect.DeepEqual(va, want) {
			t.Errorf("visits differ:\nat once %+v\nlater %+v\nfold %+v", va, vb, want)
		}
		days := funnel.NewDayRange(from, to, time.UTC)
		ta, err := s.StorefrontTallies(ctx, once.ID, days, funnel.SegmentDevice)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := s.StorefrontTallies(ctx, later.ID, days, funnel.SegmentDevice)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ta, tb) || ta.Devices[funnel.DeviceDesktop] == nil || ta.Devices[funnel.DeviceDesktop].Visits() != int64(len(want)) {
			t.Errorf("storefront tallies differ:\nat once %s\nlater %s", dumpTallies(ta), dumpTallies(tb))
		}
	})
}

// TestFoldStorefrontKeepsAFailingRow: an inbox row that cannot be folded
// (here its events are not JSON) fails alone — the rows beside it are
// folded — and is kept with its error, tried again a few times and then
// no more, so that a fold neither loses it nor spins on it.
func TestFoldStorefrontKeepsAFailingRow(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "poison.myshopify.com")
		if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit("before", "cart-b", "chk-b", t0)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO storefront_inbox (shop_id, received_at, events) VALUES ($1, $2, 'not json')`, shop.ID, t0); err != nil {
			t.Fatal(err)
		}
		// A group of its own time, as on a running clock: groups of one
		// shop and time bring each other's raw events to their folds,
		// which changes no visit but the count of events folded.
		c.Add(time.Second)
		if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit("after", "cart-a", "chk-a", t0)}}); err != nil {
			t.Fatal(err)
		}
		f, err := s.FoldStorefront(ctx)
		if err == nil || !strings.Contains(err.Error(), "decoding inbox row") || f.Rows != 3 || f.Failed != 1 || f.Events != 8 {
			t.Fatalf("FoldStorefront = %+v, %v; want 3 rows taken, the bad one failed, 8 events folded", f, err)
		}
		if n := countRows(t, s, "visits", "shop_id = $1", shop.ID); n != 2 {
			t.Errorf("%d visits, want the two good rows' clients'", n)
		}
		for attempt := 2; attempt <= 5; attempt++ {
			if f, err := s.FoldStorefront(ctx); err == nil || f.Failed != 1 {
				t.Fatalf("attempt %d: FoldStorefront = %+v, %v; want the row failed again", attempt, f, err)
			}
		}
		if f, err := s.FoldStorefront(ctx); err != nil || f.Rows != 0 {
			t.Errorf("after 5 attempts FoldStorefront = %+v, %v; want the row no longer taken", f, err)
		}
		if err := s.DrainStorefront(ctx); err != nil {
			t.Errorf("DrainStorefront with only a given-up row left: %v", err)
		}
		var attempts int
		var lastErr string
		if err := s.DB().QueryRowContext(ctx, `SELECT attempts, last_error FROM storefront_inbox`).Scan(&attempts, &lastErr); err != nil {
			t.Fatal(err)
		}
		if attempts != 5 || !strings.Contains(lastErr, "decoding inbox row") {
			t.Errorf("the kept row: %d attempts, error %q", attempts, lastErr)
		}
	})
}

// TestPixelLastSeenMovesOnceAMinute: an accepted batch records when the
// shop's pixel delivered; the batches of the next minute leave it, the
// first one after moves it.
func TestPixelLastSeenMovesOnceAMinute(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "seen.myshopify.com")
		if _, err := s.EnsurePixelKey(ctx, shop.ID); err != nil {
			t.Fatal(err)
		}
		seen := func() time.Time {
			t.Helper()
			at, err := s.PixelLastSeen(ctx, shop.ID)
			if err != nil || at == nil {
				t.Fatalf("PixelLastSeen = %v, %v", at, err)
			}
			return *at
		}
		accept := func(id string) {
			t.Helper()
			ev := funnel.StorefrontEvent{ID: id, ClientID: "c", Name: funnel.EventPageViewed, At: c.Now(), Path: "/"}
			if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: []funnel.StorefrontEvent{ev}}}); err != nil {
				t.Fatal(err)
			}
		}
		first := c.Now()
		accept("e1")
		if got := seen(); !got.Equal(first) {
			t.Fatalf("after the first batch the pixel was last seen at %s, want %s", got, first)
		}
		c.Add(59 * time.Second)
		accept("e2")
		if got := seen(); !got.Equal(first) {
			t.Errorf("a batch within the minute moved the time to %s", got)
		}
		c.Add(2 * time.Second)
		accept("e3")
		if got := seen(); !got.Equal(c.Now()) {
			t.Errorf("a batch past the minute left the time at %s, want %s", got, c.Now())
		}
	})
}

// TestStorefrontBacklog: the inbox's backlog counts the rows accepted and
// not folded, with the oldest one's time, and the given-up rows apart.
func TestStorefrontBacklog(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "backlog.myshopify.com")
		backlog := func() store.StorefrontBacklog {
			t.Helper()
			b, err := s.StorefrontBacklog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if b := backlog(); b != (store.StorefrontBacklog{}) {
			t.Errorf("an empty inbox: %+v", b)
		}
		first := c.Now()
		for i, client := range []string{"x", "y"} {
			c.Add(time.Duration(i) * time.Minute)
			if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: storefrontVisit(client, "cart-"+client, "chk-"+client, t0)}}); err != nil {
				t.Fatal(err)
			}
		}
		if b := backlog(); b.Rows != 2 || !b.Oldest.Equal(first) || b.GivenUp != 0 {
			t.Errorf("two groups waiting: %+v, want 2 rows, the oldest at %s", b, first)
		}
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO storefront_inbox (shop_id, received_at, events, attempts) VALUES ($1, $2, '[]', 5)`, shop.ID, t0); err != nil {
			t.Fatal(err)
		}
		if err := s.DrainStorefront(ctx); err != nil {
			t.Fatal(err)
		}
		if b := backlog(); b.Rows != 0 || !b.Oldest.IsZero() || b.GivenUp != 1 {
			t.Errorf("after the drain: %+v, want nothing waiting and the given-up row", b)
		}
	})
}

// TestFoldReadsTheRawEvents: an inbox row holds no copy of its raw events
// (only bots' events, which are not kept raw); its fold reads them back
// by shop and time, and the retention purge keeps the raw events a row
// still waits to fold however old they are.
func TestFoldReadsTheRawEvents(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "raw.myshopify.com")
		events := storefrontVisit("shopper", "cart-s", "chk-s", t0)
		bot := storefrontVisit("crawler", "cart-c", "chk-c", t0)[:1]
		bot[0].UserAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
		// An arrival time finer than PostgreSQL's microseconds: the row
		// must still find its events by it.
		c.Add(123456789 * time.Nanosecond)
		if err := s.AcceptStorefront(ctx, []store.StorefrontBatch{{ShopID: shop.ID, Events: append(events, bot...)}}); err != nil {
			t.Fatal(err)
		}
		var held string
		if err := s.DB().QueryRowContext(ctx, `SELECT events FROM storefront_inbox`).Scan(&held); err != nil {
			t.Fatal(err)
		}
		var inRow []funnel.StorefrontEvent
		if err := json.Unmarshal([]byte(held), &inRow); err != nil || len(inRow) != 1 || inRow[0].ID != bot[0].ID {
			t.Fatalf("the inbox row holds %s (%v); want the bot's event alone", held, err)
		}
		c.Add(8 * 24 * time.Hour)
		if n, err := s.PurgeStorefrontEvents(ctx, c.Now().Add(-7*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("PurgeStorefrontEvents before the fold = %d, %v; want none of the %d events waiting", n, err, len(events))
		}
		f, err := s.FoldStorefront(ctx)
		if err != nil || f.Rows != 1 || f.Events != len(events)+1 {
			t.Fatalf("FoldStorefront = %+v, %v; want 1 row of %d events", f, err, len(events)+1)
		}
		vs, err := s.Visits(ctx, shop.ID, t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := funnel.Fold(nil, append(events, bot...))
		sortVisits(want)
		if len(vs) != 2 || !reflect.DeepEqual(vs, want) {
			t.Errorf("visits %+v; want the shopper's and the bot's %+v", vs, want)
		}
		if n, err := s.PurgeStorefrontEvents(ctx, c.Now().Add(-7*24*time.Hour)); err != nil || n != int64(len(events)) {
			t.Fatalf("PurgeStorefrontEvents after the fold = %d, %v; want the %d events", n, err, len(events))
		}
	})
}

// TestAcceptNeedsItsShop: the raw events have no foreign key of their own
// (migration 00051); the inbox row accepted with them checks their shop,
// so events of a shop that is gone are refused and nothing of the group
// is kept.
func TestAcceptNeedsItsShop(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "here.myshopify.com")
		err := s.AcceptStorefront(ctx, []store.StorefrontBatch{
			{ShopID: shop.ID, Events: storefrontVisit("a", "cart-a", "chk-a", t0)},
			{ShopID: shop.ID + 1000, Events: storefrontVisit("b", "cart-b", "chk-b", t0)},
		})
		if err == nil {
			t.Fatal("a group with a shop that does not exist was accepted")
		}
		for _, table := range []string{"storefront_events", "storefront_inbox"} {
			if n := countRows(t, s, table, "true"); n != 0 {
				t.Errorf("%d %s rows kept of the refused group", n, table)
			}
		}
	})
}
