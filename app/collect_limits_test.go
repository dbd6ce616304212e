package app

import (
	"strconv"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
)

// TestRateLimiterBurstThenRefill: a new key may spend its whole burst at
// once and not one token more; the clock then refills it at rate a second,
// never past the burst.
func TestRateLimiterBurstThenRefill(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC))
	l := newRateLimiter(10, 40, clock.Now)
	if !l.allow(40, "a") {
		t.Fatal("a new bucket refused its burst")
	}
	if l.allow(1, "a") {
		t.Fatal("an empty bucket allowed an event")
	}
	clock.Add(250 * time.Millisecond) // 2.5 tokens
	if !l.allow(2, "a") {
		t.Fatal("a quarter of a second did not refill 2 of 10 a second")
	}
	if l.allow(1, "a") {
		t.Fatal("half a token allowed an event")
	}
	clock.Add(50 * time.Millisecond) // 0.5 + 0.5
	if !l.allow(1, "a") {
		t.Fatal("two half tokens did not make one")
	}
	clock.Add(time.Hour)
	if !l.allow(40, "a") || l.allow(1, "a") {
		t.Fatal("an hour refilled the bucket to other than its burst")
	}
	// A clock that goes back refills nothing and takes nothing.
	clock.Add(-time.Minute)
	if l.allow(1, "a") {
		t.Fatal("a clock going back refilled the bucket")
	}
}

// TestRateLimiterKeysApart: each key has its own bucket, and a charge to
// several keys is taken from all of them or, when one lacks the tokens,
// from none.
func TestRateLimiterKeysApart(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC))
	l := newRateLimiter(1, 5, clock.Now)
	if !l.allow(5, "a") || l.allow(1, "a") {
		t.Fatal("a's burst")
	}
	if !l.allow(5, "b") {
		t.Fatal("a's spending emptied b")
	}
	if !l.allow(3, "c") {
		t.Fatal("c's first events")
	}
	if l.allow(1, "c", "a") {
		t.Fatal("a charge to c and the empty a was allowed")
	}
	if !l.allow(2, "c") || l.allow(1, "c") {
		t.Fatal("the refused charge to c and a took tokens from c")
	}
}

// TestRateLimiterSweepKeepsTheBusy: past maxBuckets, the buckets that have
// refilled are dropped and the ones still spent are kept, so a sweep gives
// no sender a fresh burst.
func TestRateLimiterSweepKeepsTheBusy(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC))
	l := newRateLimiter(1, 2, clock.Now)
	if !l.allow(2, "busy") {
		t.Fatal("busy's burst")
	}
	for i := range maxBuckets {
		l.allow(0, "quiet"+strconv.Itoa(i))
	}
	l.allow(0, "one more") // past maxBuckets: this call sweeps
	l.mu.Lock()
	n, busy := len(l.buckets), l.buckets["busy"]
	l.mu.Unlock()
	if busy == nil || n > 2 {
		t.Fatalf("after the sweep %d buckets are left, busy's kept: %v", n, busy != nil)
	}
	if l.allow(1, "busy") {
		t.Fatal("the sweep gave the spent bucket a fresh burst")
	}
}

// TestCollectLimitsPerShopAndClient: a client id spends its own bucket,
// within its shop's; the same id in another shop is another client; and a
// batch a client may not send charges the shop nothing.
func TestCollectLimitsPerShopAndClient(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC))
	l := newCollectLimits(clock.Now)
	if !l.allowShop(1, map[string]int{"c": clientEventsBurst}, clientEventsBurst) {
		t.Fatal("a client's burst")
	}
	if l.allowShop(1, map[string]int{"c": 1}, 1) {
		t.Fatal("the spent client sent again")
	}
	if !l.allowShop(2, map[string]int{"c": clientEventsBurst}, clientEventsBurst) {
		t.Fatal("the same client id in another shop shares the first shop's bucket")
	}
	// Shop 1 has shopEventsBurst - clientEventsBurst left; a refused batch
	// takes none of it.
	left := shopEventsBurst - clientEventsBurst
	if l.allowShop(1, map[string]int{"d": 1, "c": 1}, 2) {
		t.Fatal("a batch with the spent client was allowed")
	}
	for i := 0; left > 0; i++ {
		n := min(left, clientEventsBurst)
		if !l.allowShop(1, map[string]int{"e" + strconv.Itoa(i): n}, n) {
			t.Fatalf("shop 1 refused with %d of its burst left", left)
		}
		left -= n
	}
	if l.allowShop(1, map[string]int{"f": 1}, 1) {
		t.Fatal("shop 1 sent past its burst")
	}
	clock.Add(time.Second)
	if !l.allowShop(1, map[string]int{"f": 1}, 1) {
		t.Fatal("a second did not refill shop 1")
	}
	if !l.allowIP("192.0.2.1", ipEventsBurst) || l.allowIP("192.0.2.1", ipEventsPerSecond+1) || !l.allowIP("192.0.2.2", 1) {
		t.Fatal("the addresses' buckets")
	}
}
