package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// ingestTopic ingests ev as a delivery of topic under a new webhook id.
func ingestTopic(t *testing.T, s *store.Store, shopID int64, id, topic string, ev funnel.Event) {
	t.Helper()
	if dup, err := s.IngestEvent(context.Background(), shopID, delivery(id, "", topic, `{}`), &ev); err != nil || dup {
		t.Fatalf("IngestEvent(%s) = %v, %v", id, dup, err)
	}
}

// detail is the shop's session named key, failing the test when there is
// none.
func detail(t *testing.T, s *store.Store, shopID int64, key string) store.SessionDetail {
	t.Helper()
	d, err := s.SessionDetail(context.Background(), shopID, key)
	if err != nil {
		t.Fatalf("SessionDetail(%d, %q): %v", shopID, key, err)
	}
	return d
}

// entryLine writes an entry for comparisons: name, time, stage and value.
func entryLine(e funnel.TimelineEntry) string {
	return fmt.Sprintf("%s %s %s %s %d %s %d", e.Source, e.Name, e.At.UTC().Format(time.RFC3339Nano), e.Stage, e.Value, e.Currency, e.ItemCount)
}

// TestTimelineRecordsEachWebhook ingests a journey's webhooks out of
// order, one a redelivery, and finds each once in the session's timeline,
// in the order of the payloads' times, with the stage each showed.
func TestTimelineRecordsEachWebhook(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		sh := storetest.Install(t, s, "timeline.myshopify.com")
		cart := cartEvent("cartT", at(0), at(time.Minute), 1500)
		co := checkoutEvent("cartT", "coT", at(2*time.Minute), at(3*time.Minute), 2500)
		co.Email, co.HasShippingAddress = "", false // started checkout, nothing given yet
		coContact := checkoutEvent("cartT", "coT", at(2*time.Minute), at(5*time.Minute), 2500)
		order := orderEvent("cartT", "coT", at(9*time.Minute), 2500)
		ingestTopic(t, s, sh.ID, "w-order", "orders/create", order)
		ingestTopic(t, s, sh.ID, "w-co2", "checkouts/update", coContact)
		ingestTopic(t, s, sh.ID, "w-cart", "carts/create", cart)
		ingestTopic(t, s, sh.ID, "w-co1", "checkouts/create", co)
		if dup, err := s.IngestEvent(context.Background(), sh.ID, delivery("w-co1", "", "checkouts/create", `{}`), &co); err != nil || !dup {
			t.Fatalf("the redelivery = %v, %v; want a duplicate", dup, err)
		}

		d := detail(t, s, sh.ID, "cartT")
		want := []funnel.TimelineEntry{
			{Source: funnel.SourceWebhook, Name: "carts/create", At: at(time.Minute), Stage: funnel.StageAddedToCart, Value: 1500, Currency: "USD", ItemCount: 1},
			{Source: funnel.SourceWebhook, Name: "checkouts/create", At: at(3 * time.Minute), Stage: funnel.StageCheckoutStarted, Value: 2500, Currency: "USD", ItemCount: 1},
			{Source: funnel.SourceWebhook, Name: "checkouts/update", At: at(5 * time.Minute), Stage: funnel.StageAddressSubmitted, Value: 2500, Currency: "USD", ItemCount: 1},
			{Source: funnel.SourceWebhook, Name: "orders/create", At: at(9 * time.Minute), Stage: funnel.StageCompleted, Value: 2500, Currency: "USD", ItemCount: 1},
		}
		if !reflect.DeepEqual(d.Timeline, want) {
			t.Errorf("timeline =\n%v\nwant\n%v", d.Timeline, want)
		}
		if d.TimelineEvents != 4 || d.TimelineLeftOut() != 0 {
			t.Errorf("TimelineEvents = %d, left out %d; want 4, 0", d.TimelineEvents, d.TimelineLeftOut())
		}
		if d.Session.Key != "cartT" || d.Session.Furthest() != funnel.StageCompleted {
			t.Errorf("the detail's session is %+v", d.Session)
		}
	})
}

// TestTimelineFollowsMerges ingests a checkout before its cart (two
// sessions), then the order that joins them: the joined session's timeline
// holds all three, whether one at a time or in one batch, and no row is
// left behind for the session merged away.
func TestTimelineFollowsMerges(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		co := checkoutEvent("", "coM", at(5*time.Minute), at(8*time.Minute), 2500)
		cart := cartEvent("cartM", at(0), at(2*time.Minute), 2500)
		order := orderEvent("cartM", "coM", at(10*time.Minute), 2500)
		one := storetest.Install(t, s, "merge-one.myshopify.com")
		ingestTopic(t, s, one.ID, "o1", "checkouts/create", co)
		ingestTopic(t, s, one.ID, "o2", "carts/create", cart)
		if n := countRows(t, s, "sessions", "shop_id = $1", one.ID); n != 2 {
			t.Fatalf("%d sessions before the order, want 2", n)
		}
		ingestTopic(t, s, one.ID, "o3", "orders/create", order)

		batched := storetest.Install(t, s, "merge-batch.myshopify.com")
		var items []store.IngestItem
		for i, ev := range []funnel.Event{co, cart, order} {
			items = append(items, store.IngestItem{ShopID: batched.ID, Event: &ev,
				Delivery: delivery(fmt.Sprintf("b%d", i), batched.Domain, []string{"checkouts/create", "carts/create", "orders/create"}[i], `{}`)})
		}
		if _, err := s.IngestEvents(ctx, items); err != nil {
			t.Fatal(err)
		}

		for _, sh := range []store.Shop{one, batched} {
			d := detail(t, s, sh.ID, "cartM")
			var names []string
			for _, e := range d.Timeline {
				names = append(names, e.Name)
			}
			if want := []string{"carts/create", "checkouts/create", "orders/create"}; !slices.Equal(names, want) || d.TimelineEvents != 3 {
				t.Errorf("%s: timeline %v (%d events), want %v", sh.Domain, names, d.TimelineEvents, want)
			}
			if n := countRows(t, s, "session_events", "shop_id = $1", sh.ID); n != 3 {
				t.Errorf("%s: %d timeline rows, want 3", sh.Domain, n)
			}
			// A link made while the session was keyed by its checkout
			// token still finds it.
			if byToken := detail(t, s, sh.ID, "coM"); byToken.Session.Key != "cartM" || len(byToken.Timeline) != 3 {
				t.Errorf("%s: by the checkout token: session %q with %d entries", sh.Domain, byToken.Session.Key, len(byToken.Timeline))
			}
		}
	})
}

// TestTimelineCap sends one checkout 260 updates, out of time order, in
// batches and alone: its timeline keeps funnel.TimelineCap entries, the
// earliest TimelineHead and the latest by time, and counts all 260; the
// session itself has every update. Then a second session of 150 events
// joins it (its checkout seen before its cart), and the joined timeline
// is trimmed the same way over the union.
func TestTimelineCap(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "cap.myshopify.com")
		rng := rand.New(rand.NewPCG(3, 5))
		update := func(cart, co string, minute int) funnel.Event {
			return checkoutEvent(cart, co, at(0), at(time.Duration(minute)*time.Minute), int64(100+minute))
		}
		minutes := rng.Perm(260)
		var all []funnel.TimelineEntry
		var items []store.IngestItem
		for i, m := range minutes {
			ev := update("cartC", "coC", m+1)
			all = append(all, funnel.WebhookEntry(ev, "checkouts/update"))
			items = append(items, store.IngestItem{ShopID: sh.ID, Event: &ev, Delivery: delivery(fmt.Sprintf("cap-%d", i), sh.Domain, "checkouts/update", `{}`)})
		}
		for len(items) > 0 {
			n := min(len(items), 1+rng.IntN(40))
			if _, err := s.IngestEvents(ctx, items[:n]); err != nil {
				t.Fatal(err)
			}
			items = items[n:]
		}
		wantKept := func(entries []funnel.TimelineEntry) []string {
			sorted := slices.Clone(entries)
			slices.SortStableFunc(sorted, func(a, b funnel.TimelineEntry) int { return a.At.Compare(b.At) })
			var out []string
			for i, e := range sorted {
				if i < funnel.TimelineHead || i >= len(sorted)-(funnel.TimelineCap-funnel.TimelineHead) {
					out = append(out, entryLine(e))
				}
			}
			return out
		}
		lines := func(entries []funnel.TimelineEntry) []string {
			var out []string
			for _, e := range entries {
				out = append(out, entryLine(e))
			}
			return out
		}
		d := detail(t, s, sh.ID, "cartC")
		if got, want := lines(d.Timeline), wantKept(all); !slices.Equal(got, want) {
			t.Errorf("kept %d entries, want %d:\n%s\nwant\n%s", len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if d.TimelineEvents != 260 || d.TimelineLeftOut() != 60 {
			t.Errorf("TimelineEvents %d, left out %d; want 260, 60", d.TimelineEvents, d.TimelineLeftOut())
		}
		if got := d.Session.LastActivity; !got.Equal(at(260 * time.Minute)) {
			t.Errorf("the session's last activity is %v: the session must have every update", got)
		}

		// A checkout seen before its cart: 150 events under its own key,
		// then the one that names its cart joins it to cartC's session.
		for i := range 150 {
			ingestTopic(t, s, sh.ID, fmt.Sprintf("second-%d", i), "checkouts/update", update("", "coD", 300+i))
			all = append(all, funnel.WebhookEntry(update("", "coD", 300+i), "checkouts/update"))
		}
		if n := len(detail(t, s, sh.ID, "coD").Timeline); n != 150 {
			t.Fatalf("the second session keeps %d entries, want all 150", n)
		}
		join := update("cartC", "coD", 500)
		ingestTopic(t, s, sh.ID, "join", "checkouts/update", join)
		all = append(all, funnel.WebhookEntry(join, "checkouts/update"))
		d = detail(t, s, sh.ID, "cartC")
		if n := countRows(t, s, "session_events", "shop_id = $1", sh.ID); n != funnel.TimelineCap {
			t.Errorf("%d timeline rows after the join, want %d", n, funnel.TimelineCap)
		}
		if d.TimelineEvents != 260+150+1 {
			t.Errorf("TimelineEvents after the join = %d, want %d", d.TimelineEvents, 260+150+1)
		}
		if got, want := lines(d.Timeline), wantKept(all); !slices.Equal(got, want) {
			t.Errorf("after the join kept %d entries, want %d:\n%s\nwant\n%s", len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestSessionDetailScopedByShop asks one shop for another shop's session
// key: it finds nothing, though the key exists, and the owner finds it
// with its alerts.
func TestSessionDetailScopedByShop(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		owner := storetest.Install(t, s, "owner.myshopify.com")
		other := storetest.Install(t, s, "other.myshopify.com")
		ingestTopic(t, s, owner.ID, "x1", "carts/create", cartEvent("cartX", at(0), at(time.Minute), 4000))
		for _, key := range []string{"cartX", "", "nope"} {
			if _, err := s.SessionDetail(ctx, other.ID, key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another shop's SessionDetail(%q) = %v, want ErrNotFound", key, err)
			}
		}
		c.Set(at(3 * time.Hour))
		decide := func(sess funnel.Session) (store.Alert, bool) {
			return store.Alert{SessionKey: sess.Key, Kind: funnel.StatusAbandonedCart, Mode: store.ModeDigest, Value: sess.Value, Currency: sess.Currency}, true
		}
		if _, _, err := s.FlagAndQueueAlerts(ctx, owner.ID, at(3*time.Hour), time.Hour, decide, nil); err != nil {
			t.Fatal(err)
		}
		d := detail(t, s, owner.ID, "cartX")
		if len(d.Alerts) != 1 || d.Alerts[0].Kind != funnel.StatusAbandonedCart || d.Alerts[0].Mode != store.ModeDigest || d.Alerts[0].Status != store.AlertQueued {
			t.Errorf("the owner's session has alerts %+v, want one queued digest alert", d.Alerts)
		}
		if len(d.Timeline) != 1 || d.Timeline[0].Name != "carts/create" {
			t.Errorf("the owner's timeline = %v", d.Timeline)
		}
	})
}

// shopTimelines is every timeline row of the shop, as entry lines by the
// key of the session it belongs to, each session's sorted.
func shopTimelines(t *testing.T, s *store.Store, shopID int64) map[string][]string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT s.session_key, e.name, e.occurred_at, e.stage, e.value
		FROM session_events e JOIN sessions s ON s.id = e.session_id AND s.shop_id = e.shop_id WHERE e.shop_id = $1`, shopID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var key, name string
		var occurred time.Time
		var stage int
		var value int64
		if err := rows.Scan(&key, &name, &occurred, &stage, &value); err != nil {
			t.Fatal(err)
		}
		out[key] = append(out[key], fmt.Sprintf("%s %s %d %d", occurred.UTC().Format(time.RFC3339Nano), name, stage, value))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, l := range out {
		slices.Sort(l)
	}
	return out
}

// timelineInvariant checks that every timeline row of the shop belongs to
// one of its sessions, that each session has the lesser of its
// timeline_events and funnel.TimelineCap rows, and that timeline_events
// adds up to events, the deliveries applied.
func timelineInvariant(t *testing.T, s *store.Store, shopID int64, events int) {
	t.Helper()
	ctx := context.Background()
	var orphans, wrong, total int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM session_events e
		WHERE e.shop_id = $1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.session_id AND s.shop_id = e.shop_id)`, shopID).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM sessions s WHERE s.shop_id = $1 AND
		(SELECT count(*) FROM session_events e WHERE e.session_id = s.id) <> CASE WHEN s.timeline_events > $2 THEN $2 ELSE s.timeline_events END`,
		shopID, funnel.TimelineCap).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT COALESCE(SUM(timeline_events), 0) FROM sessions WHERE shop_id = $1`, shopID).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 || wrong != 0 || total != events {
		t.Errorf("shop %d: %d timeline rows of no session, %d sessions whose rows are not their count, %d events counted; want 0, 0, %d",
			shopID, orphans, wrong, total, events)
	}
}
