package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// fold applies events in order to the zero session.
func fold(evs ...funnel.Event) funnel.Session {
	var s funnel.Session
	for _, e := range evs {
		s = s.Apply(e)
	}
	return s
}

// countRows counts rows of table matching where.
func countRows(t *testing.T, s *store.Store, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantSession checks the shop's only session equals want.
func wantSession(t *testing.T, s *store.Store, shopID int64, want funnel.Session) {
	t.Helper()
	if n := countRows(t, s, "sessions", "shop_id = $1", shopID); n != 1 {
		t.Fatalf("shop %d has %d sessions, want 1", shopID, n)
	}
	got, err := s.SessionByKey(context.Background(), shopID, want.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("session =\n%+v\nwant\n%+v", got, want)
	}
}

func TestIngestEventDedupe(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "dedupe.myshopify.com")
		ev := cartEvent("cartA", at(0), at(time.Minute), 1000)
		d := delivery("wh-1", sh.Domain, "carts/create", `{"token":"cartA"}`)
		dup, err := s.IngestEvent(ctx, sh.ID, d, &ev)
		if err != nil || dup {
			t.Fatalf("first IngestEvent = %v, %v", dup, err)
		}
		// The same webhook id again, even with another event, changes nothing.
		ev2 := cartEvent("cartA", at(0), at(time.Hour), 9999)
		dup, err = s.IngestEvent(ctx, sh.ID, d, &ev2)
		if err != nil || !dup {
			t.Fatalf("second IngestEvent = %v, %v; want duplicate", dup, err)
		}
		if n := countRows(t, s, "deliveries", "webhook_id = $1", "wh-1"); n != 1 {
			t.Errorf("%d delivery rows, want 1", n)
		}
		wantSession(t, s, sh.ID, fold(ev))
		// KeepDelivery shares the uniqueness.
		dup, err = s.KeepDelivery(ctx, &sh.ID, d, "again")
		if err != nil || !dup {
			t.Errorf("KeepDelivery of an ingested id = %v, %v; want duplicate", dup, err)
		}
		// A delivery without an event is recorded only.
		dup, err = s.IngestEvent(ctx, sh.ID, delivery("wh-2", sh.Domain, "carts/update", `{}`), nil)
		if err != nil || dup {
			t.Errorf("IngestEvent(nil event) = %v, %v", dup, err)
		}
		// The raw payload is kept byte for byte.
		var payload []byte
		if err := s.DB().QueryRowContext(ctx, "SELECT payload FROM deliveries WHERE webhook_id = $1", "wh-1").Scan(&payload); err != nil || string(payload) != `{"token":"cartA"}` {
			t.Errorf("payload = %q, %v", payload, err)
		}
	})
}

func TestIngestEventMergesCheckoutFirstJourney(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		sh := storetest.Install(t, s, "merge.myshopify.com")
		// A checkout without a cart token arrives first (session keyed by the
		// checkout token), then the cart (session keyed by the cart token),
		// then the order naming both: the two rows become one.
		co := checkoutEvent("", "coB", at(5*time.Minute), at(8*time.Minute), 2500)
		cart := cartEvent("cartA", at(0), at(2*time.Minute), 2500)
		order := orderEvent("cartA", "coB", at(10*time.Minute), 2500)
		ingest(t, s, sh.ID, "m1", co)
		ingest(t, s, sh.ID, "m2", cart)
		if n := countRows(t, s, "sessions", "shop_id = $1", sh.ID); n != 2 {
			t.Fatalf("%d sessions before the order, want 2", n)
		}
		ingest(t, s, sh.ID, "m3", order)
		want := fold(co, cart, order)
		if want.Key != "cartA" || want.Furthest() != funnel.StageCompleted {
			t.Fatalf("bad expectation %+v", want)
		}
		wantSession(t, s, sh.ID, want)
		// A late cart update joins the same session.
		late := cartEvent("cartA", at(0), at(3*time.Minute), 2500)
		ingest(t, s, sh.ID, "m4", late)
		wantSession(t, s, sh.ID, fold(co, cart, order, late))
	})
}

func TestIngestEventOrderFirstThenCart(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		sh := storetest.Install(t, s, "orderfirst.myshopify.com")
		order := orderEvent("", "coZ", at(10*time.Minute), 4000)
		co := checkoutEvent("cartZ", "coZ", at(5*time.Minute), at(9*time.Minute), 4000)
		cart := cartEvent("cartZ", at(0), at(time.Minute), 4000)
		ingest(t, s, sh.ID, "o1", order)
		ingest(t, s, sh.ID, "o2", co)
		ingest(t, s, sh.ID, "o3", cart)
		want := fold(order, co, cart)
		if want.Key != "cartZ" {
			t.Fatalf("merged key %q", want.Key)
		}
		wantSession(t, s, sh.ID, want)
	})
}

func TestIngestEventConcurrent(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, d, func(o *store.Options) { o.MaxOpenConns = 8 })
			sh := storetest.Install(t, s, "race.myshopify.com")
			for round := range 3 {
				cart, co := fmt.Sprintf("cart%d", round), fmt.Sprintf("co%d", round)
				evs := []funnel.Event{
					cartEvent(cart, at(0), at(time.Minute), 1000),
					cartEvent(cart, at(0), at(2*time.Minute), 2000),
					cartEvent(cart, at(0), at(3*time.Minute), 3000),
					checkoutEvent("", co, at(4*time.Minute), at(5*time.Minute), 3000),
					checkoutEvent(cart, co, at(4*time.Minute), at(6*time.Minute), 3000),
					checkoutEvent("", co, at(4*time.Minute), at(7*time.Minute), 3000),
					orderEvent(cart, co, at(8*time.Minute), 3000),
					cartEvent(cart, at(0), at(30*time.Second), 500),
				}
				var wg sync.WaitGroup
				errs := make(chan error, len(evs))
				start := make(chan struct{})
				for i, ev := range evs {
					wg.Go(func() {
						<-start
						_, err := s.IngestEvent(context.Background(), sh.ID,
							delivery(fmt.Sprintf("r%d-%d", round, i), sh.Domain, "x", `{}`), &ev)
						errs <- err
					})
				}
				close(start)
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatalf("concurrent IngestEvent: %v", err)
					}
				}
				want := fold(evs...)
				got, err := s.SessionByKey(context.Background(), sh.ID, want.Key)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round %d: session =\n%+v\nwant\n%+v", round, got, want)
				}
				if n := countRows(t, s, "sessions", "shop_id = $1", sh.ID); n != round+1 {
					t.Fatalf("round %d: %d sessions, want %d", round, n, round+1)
				}
			}
		})
	}
}

func TestIngestEventDatabaseDown(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		sh := storetest.Install(t, s, "down.myshopify.com")
		_ = s.Close()
		ev := cartEvent("c", at(0), at(0), 1)
		if _, err := s.IngestEvent(context.Background(), sh.ID, delivery("x", "", "", ""), &ev); err == nil {
			t.Fatal("IngestEvent on a closed store succeeded")
		} else if errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
