package app

import (
	"fmt"
	"testing"
	"time"
)

// TestTTLCache: a value is trusted until its ttl, forget drops it, and a
// full cache makes room by dropping the expired values first, then
// others until a tenth is free, never growing past its bound.
func TestTTLCache(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := newTTLCache[string, int](time.Second, 10)
	c.put("a", 1, t0)
	if v, ok := c.get("a", t0.Add(999*time.Millisecond)); !ok || v != 1 {
		t.Errorf("within the ttl: %d, %v", v, ok)
	}
	if _, ok := c.get("a", t0.Add(time.Second)); ok {
		t.Error("a value is still trusted at its ttl")
	}
	c.forget("a")
	if len(c.m) != 0 {
		t.Errorf("forget left %d entries", len(c.m))
	}
	for i := range 10 {
		c.put(fmt.Sprint(i), i, t0)
	}
	c.put("fresh", 99, t0.Add(2*time.Second)) // the ten have expired: all go
	if len(c.m) != 1 {
		t.Errorf("after the expired were dropped %d entries, want 1", len(c.m))
	}
	for i := range 20 {
		c.put(fmt.Sprint("live", i), i, t0.Add(2*time.Second))
		if len(c.m) > 10 {
			t.Fatalf("the cache grew to %d entries, over its bound of 10", len(c.m))
		}
	}
	c.forgetFunc(func(_ string, v int) bool { return v == 99 })
	if _, ok := c.get("fresh", t0.Add(2*time.Second)); ok {
		t.Error("forgetFunc left the value it was to drop")
	}
}
