package demo

import (
	"sync"
	"time"
)

// ReplayClock is the clock the app's POST /collect takes a batch's
// arrival from in demo mode (app.Options.CollectNow). While Fill replays
// the storefront's history it stands at the moment the history has
// reached — each batch arrives when the shopper's pixel sent it, so the
// collector's rules (events from 30 days before arrival to 24 hours after
// it; the rate limits) apply to the history as they did to the live
// store; the rest of the app keeps the real clock. Otherwise, and once the
// replay is done, it is the real clock. The zero value is the real clock.
type ReplayClock struct {
	mu        sync.Mutex
	at        time.Time
	replaying bool
}

// Now is the replayed moment during a replay, else time.Now.
func (c *ReplayClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.replaying {
		return c.at
	}
	return time.Now()
}

// advance starts or continues a replay at t; the clock never goes back.
func (c *ReplayClock) advance(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.replaying || t.After(c.at) {
		c.at, c.replaying = t, true
	}
}

// live ends the replay: the clock is the real one again.
func (c *ReplayClock) live() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replaying = false
}
