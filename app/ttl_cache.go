package app

import (
	"sync"
	"time"
)

// ttlCache remembers values for ttl, at most max of them: once full, a new
// value makes room by dropping the expired ones and, when none had
// expired, arbitrary ones (map order) until a tenth is free. It is safe
// for concurrent use; the caller gives the time.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[K]ttlEntry[V]
}

// ttlEntry is a value and until when it is trusted.
type ttlEntry[V any] struct {
	v     V
	until time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration, max int) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, m: map[K]ttlEntry[V]{}}
}

// get returns k's value while it is trusted at now.
func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !now.Before(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put remembers v for k from now.
func (c *ttlCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		c.evict(now)
	}
	c.m[k] = ttlEntry[V]{v: v, until: now.Add(c.ttl)}
}

// evict makes room; c.mu is held.
func (c *ttlCache[K, V]) evict(now time.Time) {
	for k, e := range c.m {
		if !now.Before(e.until) {
			delete(c.m, k)
		}
	}
	for k := range c.m {
		if len(c.m) < c.max*9/10 {
			break
		}
		delete(c.m, k)
	}
}

// forget drops k.
func (c *ttlCache[K, V]) forget(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

// forgetFunc drops every entry for which drop is true.
func (c *ttlCache[K, V]) forgetFunc(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if drop(k, e.v) {
			delete(c.m, k)
		}
	}
}
