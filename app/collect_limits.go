package app

import (
	"strconv"
	"sync"
	"time"
)

// The limits of POST /collect. A storefront's pixel sends a batch of a few
// to a few dozen events every few seconds per shopper; these limits are far
// above what a real storefront sends and exist so that one leaked key, or
// one script, cannot fill the database.
const (
	// maxCollectBytes is the largest body read: the pixel's batches stay
	// under the 64 KiB keepalive fetch budget.
	maxCollectBytes = 64 << 10
	// shopEventsPerSecond and shopEventsBurst bound one shop's events: a
	// large store at its peak (thousands of shoppers at once, 10–50 events
	// per visit) stays well under 2,000 a second.
	shopEventsPerSecond = 2000
	shopEventsBurst     = 10000
	// clientEventsPerSecond and clientEventsBurst bound one clientId's
	// events: a shopper's browser sends a few a second at most.
	clientEventsPerSecond = 50
	clientEventsBurst     = 400
	// ipEventsPerSecond and ipEventsBurst bound one remote address, checked
	// before the key is looked up (so that a flood of guessed keys costs
	// the database nothing). A mobile carrier's NAT, or a load balancer in
	// front of the app, puts many shoppers behind one address, so this is
	// a shop's limit, not a shopper's.
	ipEventsPerSecond = shopEventsPerSecond
	ipEventsBurst     = shopEventsBurst
	// maxBuckets bounds the buckets a limiter keeps; past it, the buckets
	// that have refilled (whose owners have been quiet) are dropped.
	maxBuckets = 100000
)

// tokenBucket is one sender's allowance: tokens refill at rate a second up
// to burst, and each event takes one.
type tokenBucket struct {
	tokens float64
	at     time.Time
}

// rateLimiter is a set of token buckets by key, on an injected clock.
type rateLimiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

func newRateLimiter(rate, burst float64, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: rate, burst: burst, now: now, buckets: map[string]*tokenBucket{}}
}

// refill brings b up to date at now.
func (l *rateLimiter) refill(b *tokenBucket, now time.Time) {
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
		b.at = now
	}
}

// allow takes n tokens from every key's bucket when all of them have n,
// and reports whether it did: either every bucket pays, or none does.
func (l *rateLimiter) allow(n int, keys ...string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buckets) > maxBuckets {
		l.sweep(now)
	}
	bs := make([]*tokenBucket, 0, len(keys))
	for _, k := range keys {
		b := l.buckets[k]
		if b == nil {
			b = &tokenBucket{tokens: l.burst, at: now}
			l.buckets[k] = b
		}
		l.refill(b, now)
		if b.tokens < float64(n) {
			return false
		}
		bs = append(bs, b)
	}
	for _, b := range bs {
		b.tokens -= float64(n)
	}
	return true
}

// sweep drops the buckets that are full again: their senders have been
// quiet long enough that a new bucket is the same.
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// collectLimits are the per-shop, per-client and per-address limiters of
// POST /collect.
type collectLimits struct {
	shops, clients, ips *rateLimiter
}

func newCollectLimits(now func() time.Time) *collectLimits {
	return &collectLimits{
		shops:   newRateLimiter(shopEventsPerSecond, shopEventsBurst, now),
		clients: newRateLimiter(clientEventsPerSecond, clientEventsBurst, now),
		ips:     newRateLimiter(ipEventsPerSecond, ipEventsBurst, now),
	}
}

// allowIP charges n events to the remote address; false means 429. It
// runs before the key is looked up, so a flood of bad keys costs the
// database nothing.
func (l *collectLimits) allowIP(ip string, n int) bool {
	return l.ips.allow(n, ip)
}

// allowShop charges a batch of n events to its shop (whose key was
// checked) and each client id its own events; false means 429. The shop is
// charged only when every client may send, and a claimed shop is never
// charged before its key is verified, so no one can spend another shop's
// allowance.
func (l *collectLimits) allowShop(shopID int64, perClient map[string]int, n int) bool {
	shop := strconv.FormatInt(shopID, 10)
	for id, k := range perClient {
		if !l.clients.allow(k, "client:"+shop+":"+id) {
			return false
		}
	}
	return l.shops.allow(n, shop)
}
