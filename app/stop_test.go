package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// inFlight is a set of cart deliveries sent at once, each answered on its
// own goroutine.
type inFlight struct {
	h      *harness
	shop   string
	body   []byte
	wg     sync.WaitGroup
	mu     sync.Mutex
	status map[string]int // by webhook id; 0 when the request failed
}

func newInFlight(h *harness, shop string) *inFlight {
	return &inFlight{h: h, shop: shop, body: testkit.Fixture(h.t, "carts_create.json"), status: map[string]int{}}
}

// send posts a signed carts/create delivery without waiting for its answer.
func (f *inFlight) send(id string) {
	f.wg.Go(func() {
		f.mu.Lock()
		f.status[id] = 0
		f.mu.Unlock()
		status := f.post(id)
		f.mu.Lock()
		f.status[id] = status
		f.mu.Unlock()
	})
}

// post posts one delivery and returns its status, 0 when it got none.
func (f *inFlight) post(id string) int {
	resp, err := f.h.client.Do(shopifytest.SignedWebhook(f.h.srv.URL+"/webhooks", testSecret, "carts/create", f.shop, id, f.body))
	if err != nil {
		return 0
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// wait waits for every answer and returns the statuses; a delivery left
// unanswered fails the test.
func (f *inFlight) wait() map[string]int {
	f.h.t.Helper()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		f.h.t.Fatal("deliveries left unanswered after Stop returned")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

// committed reports whether the delivery with webhook id is in the store.
func committed(t *testing.T, st *store.Store, id string) bool {
	t.Helper()
	var n int
	if err := st.DB().QueryRowContext(t.Context(), "SELECT count(*) FROM deliveries WHERE webhook_id = $1", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// checkAnsweredAsCommitted fails unless each delivery was committed and
// answered 200, or answered 503 and not committed, and returns how many
// were of each.
func checkAnsweredAsCommitted(t *testing.T, st *store.Store, status map[string]int) (ok, refused int) {
	t.Helper()
	for id, s := range status {
		c := committed(t, st, id)
		switch {
		case s == http.StatusOK && c:
			ok++
		case s == http.StatusServiceUnavailable && !c:
			refused++
		default:
			t.Errorf("delivery %s: answered %d, committed %v", id, s, c)
		}
	}
	return ok, refused
}

// allInFlight waits until n deliveries wait for their commit: at the gate
// or in the group commit's queue.
func allInFlight(t *testing.T, a *app.App, gate *app.CommitGate, n int) {
	t.Helper()
	testkit.Eventually(t, fmt.Sprintf("%d deliveries waiting for their commit", n), func() bool {
		waiting, _ := a.WaitingCommits()
		return gate.Entered()+waiting == n
	})
}

// stopBegun waits until Stop has begun to stop the group commit, or has
// returned (and then puts its error back).
func stopBegun(t *testing.T, a *app.App, stopped chan error) {
	t.Helper()
	testkit.Eventually(t, "Stop to begin", func() bool {
		if _, stopping := a.WaitingCommits(); stopping {
			return true
		}
		select {
		case err := <-stopped:
			stopped <- err
			return true
		default:
			return false
		}
	})
}

// TestStopDrainsTheGroupCommit stops the app while deliveries wait for
// their commit, one batch at the database and the others queued behind
// it: Stop does not return while they wait, and each is committed and
// answered 200. A delivery that arrives once Stop has begun is answered
// 503 at once and not committed.
func TestStopDrainsTheGroupCommit(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "drain.myshopify.com"
		h.install(shop)
		gate := h.app.GateCommitsForTest()
		t.Cleanup(gate.Open)
		f := newInFlight(h, shop)
		const n = 12
		for i := range n {
			f.send(fmt.Sprintf("drain-%d", i))
		}
		allInFlight(t, h.app, gate, n)

		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := contextWithTimeout(time.Minute)
			defer cancel()
			stopped <- h.app.Stop(ctx)
		}()
		stopBegun(t, h.app, stopped)
		if s := f.post("drain-late"); s != http.StatusServiceUnavailable {
			t.Errorf("a delivery arriving while the app stops: %d, want 503", s)
		}
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while deliveries waited for their commit", err)
		default:
		}

		gate.Open()
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatalf("Stop: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Stop did not return once the commits could go through")
		}
		status := f.wait()
		if ok, refused := checkAnsweredAsCommitted(t, st, status); ok != n || refused != 0 {
			t.Errorf("%d committed and answered 200, %d answered 503; want all %d committed", ok, refused, n)
		}
		if committed(t, st, "drain-late") {
			t.Error("the delivery refused while stopping was committed")
		}
	})
}

// TestStopPastItsDeadline stops the app with deliveries waiting for their
// commit and lets one batch through before Stop's context ends: that
// batch is committed and answered 200, every other delivery is answered
// 503 and not committed — none is left unanswered, and none is committed
// after Stop returns.
func TestStopPastItsDeadline(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "deadline.myshopify.com"
		h.install(shop)
		gate := h.app.GateCommitsForTest()
		t.Cleanup(gate.Open)
		f := newInFlight(h, shop)
		// The first delivery waits at the gate alone, so that the others
		// make at least one more batch.
		const n = 12
		f.send("deadline-0")
		testkit.Eventually(t, "the first delivery at the gate", func() bool { return gate.Entered() == 1 })
		for i := 1; i < n; i++ {
			f.send(fmt.Sprintf("deadline-%d", i))
		}
		allInFlight(t, h.app, gate, n)

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stopped := make(chan error, 1)
		go func() { stopped <- h.app.Stop(ctx) }()
		stopBegun(t, h.app, stopped)
		if err := gate.Release(t); err != nil {
			t.Fatalf("the batch let through: %v", err)
		}
		cancel()
		select {
		case err := <-stopped:
			if err == nil {
				t.Error("Stop past its deadline returned no error")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Stop did not return once its context ended")
		}
		status := f.wait()
		ok, refused := checkAnsweredAsCommitted(t, st, status)
		if ok == 0 || refused == 0 || ok+refused != n {
			t.Errorf("%d committed and answered 200, %d answered 503 and not committed; want some of each, %d in all", ok, refused, n)
		}
	})
}
