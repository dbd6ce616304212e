package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// forEachCommit runs fn with a group commit on a fresh database of each dialect,
// with one installed shop.
func forEachCommit(t *testing.T, fn func(t *testing.T, st *store.Store, g *groupCommit, shop store.Shop, sizes prometheus.Histogram)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			st := storetest.Open(t, d, func(o *store.Options) { o.MaxOpenConns = max(o.MaxOpenConns, 4) })
			shop, err := st.InstallShop(context.Background(), "commit.myshopify.com",
				store.Tokens{AccessToken: "shpat_x", Scope: "read_orders"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sizes := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sizes"})
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			fn(t, st, newGroupCommit(st, newInstalledShops(st, time.Now), log, sizes), shop, sizes)
		})
	}
}

// cartDelivery is a carts/create delivery of a cart with one item.
func cartDelivery(shop, id, cart string) (store.Delivery, *funnel.Event) {
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	return store.Delivery{WebhookID: id, Topic: shopify.TopicCartsCreate, ShopDomain: shop, Payload: []byte(`{}`)},
		&funnel.Event{Kind: funnel.KindCart, CartToken: cart, CreatedAt: at, UpdatedAt: at,
			Value: 1000, Currency: "USD", ItemCount: 1, LineItems: []funnel.LineItem{{Title: "Mug", Quantity: 1}}}
}

// TestGroupCommitConcurrent sends many deliveries at once, some twice:
// each is answered after its commit, exactly the redeliveries are reported
// duplicate, and every delivery went through a commit.
func TestGroupCommitConcurrent(t *testing.T) {
	t.Parallel()
	forEachCommit(t, func(t *testing.T, st *store.Store, g *groupCommit, shop store.Shop, sizes prometheus.Histogram) {
		const n = 40
		results := make([]commitResult, n+n/4)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				k := i % n // the last quarter repeats the first deliveries
				d, ev := cartDelivery(shop.Domain, fmt.Sprintf("wh-%d", k), fmt.Sprintf("cart-%d", k))
				results[i] = g.ingest(context.Background(), d, ev)
			})
		}
		wg.Wait()
		dups := map[int]int{}
		for i, r := range results {
			if r.err != nil || !r.installed {
				t.Fatalf("delivery %d: %+v", i, r)
			}
			if r.duplicate {
				dups[i%n]++
			}
		}
		if len(dups) != n/4 {
			t.Errorf("%d deliveries reported duplicate, want %d: %v", len(dups), n/4, dups)
		}
		for k, c := range dups {
			if k >= n/4 || c != 1 {
				t.Errorf("delivery %d reported duplicate %d times", k, c)
			}
		}
		list, total, err := st.ListSessions(context.Background(), store.SessionFilter{ShopID: shop.ID, Limit: 100})
		if err != nil || total != n || len(list) != n {
			t.Fatalf("sessions = %d (total %d), %v; want %d", len(list), total, err, n)
		}
		var m dto.Metric
		if err := sizes.Write(&m); err != nil {
			t.Fatal(err)
		}
		if got := m.GetHistogram().GetSampleSum(); got != float64(len(results)) {
			t.Errorf("deliveries committed = %v, want %d", got, len(results))
		}
	})
}

// TestGroupCommitIsolatesFailure commits a batch in which one delivery is
// refused by the database (its shop, cached as installed, does not exist):
// that one fails, the others are committed one by one.
func TestGroupCommitIsolatesFailure(t *testing.T) {
	t.Parallel()
	forEachCommit(t, func(t *testing.T, st *store.Store, g *groupCommit, shop store.Shop, _ prometheus.Histogram) {
		const ghost = "ghost.myshopify.com"
		g.shops = newInstalledShops(st, func() time.Time { return time.Unix(0, 0) })
		g.shops.ids.put(ghost, shop.ID+1000, time.Unix(0, 0))
		var batch []pendingDelivery
		for i, domain := range []string{shop.Domain, ghost, shop.Domain, "unknown.myshopify.com"} {
			d, ev := cartDelivery(domain, fmt.Sprintf("wh-%d", i), fmt.Sprintf("cart-%d", i))
			batch = append(batch, pendingDelivery{delivery: d, event: ev})
		}
		results := g.commit(context.Background(), batch)
		want := []string{"committed", "failed", "committed", "not installed"}
		for i, r := range results {
			got := "committed"
			switch {
			case r.err != nil:
				got = "failed"
			case !r.installed:
				got = "not installed"
			}
			if got != want[i] {
				t.Errorf("delivery %d: %s (%+v), want %s", i, got, r, want[i])
			}
		}
		if len(results) != len(want) {
			t.Errorf("%d answers for %d deliveries", len(results), len(want))
		}
		list, _, err := st.ListSessions(context.Background(), store.SessionFilter{ShopID: shop.ID})
		if err != nil || len(list) != 2 {
			t.Fatalf("sessions = %d, %v; want 2", len(list), err)
		}
	})
}

// TestInstalledShopsForget checks that an uninstall seen here is not
// hidden by what the cache remembers.
func TestInstalledShopsForget(t *testing.T) {
	t.Parallel()
	forEachCommit(t, func(t *testing.T, st *store.Store, g *groupCommit, shop store.Shop, _ prometheus.Histogram) {
		ctx := context.Background()
		at := time.Now()
		g.shops.now = func() time.Time { return at } // within the second throughout
		if ids, err := g.shops.lookup(ctx, []string{shop.Domain}); err != nil || ids[shop.Domain] != shop.ID {
			t.Fatalf("lookup = %v, %v", ids, err)
		}
		if err := st.UninstallShop(ctx, shop.Domain, time.Now()); err != nil {
			t.Fatal(err)
		}
		if ids, _ := g.shops.lookup(ctx, []string{shop.Domain}); len(ids) != 1 {
			t.Fatalf("within the second, lookup = %v; want the remembered shop", ids)
		}
		g.shops.forget(shop.Domain)
		if ids, err := g.shops.lookup(ctx, []string{shop.Domain}); err != nil || len(ids) != 0 {
			t.Fatalf("after forget, lookup = %v, %v; want none", ids, err)
		}
	})
}
