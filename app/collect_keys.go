package app

import (
	"context"
	"sync"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// pixelKeyTTL is how long /collect trusts a pixel key's shop without
// asking the database again; maxPixelKeys bounds how many keys it
// remembers (a large deployment's active shops, not every key guessed:
// only keys that opened a shop are remembered).
const (
	pixelKeyTTL  = 2 * time.Second
	maxPixelKeys = 10000
)

// pixelShops remembers for pixelKeyTTL which shop a pixel key opens, so
// that a busy collector asks the database once per key and TTL rather
// than once per batch. An uninstall or a shop erasure seen by this
// instance forgets the shop's keys at once (App.forgetShop); one seen by
// another instance takes effect here within the TTL. Unknown keys are
// never remembered: a key created a moment ago works at once.
type pixelShops struct {
	store *store.Store
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]cachedPixelShop
}

// cachedPixelShop is the shop a key opened and until when it is trusted.
type cachedPixelShop struct {
	shop  store.PixelShop
	until time.Time
}

func newPixelShops(st *store.Store, now func() time.Time) *pixelShops {
	return &pixelShops{store: st, now: now, keys: map[string]cachedPixelShop{}}
}

// lookup is store.ShopByPixelKey through the cache.
func (c *pixelShops) lookup(ctx context.Context, key string) (store.PixelShop, error) {
	now := c.now()
	c.mu.Lock()
	s, ok := c.keys[key]
	c.mu.Unlock()
	if ok && now.Before(s.until) {
		return s.shop, nil
	}
	shop, err := c.store.ShopByPixelKey(ctx, key)
	if err != nil {
		c.mu.Lock()
		delete(c.keys, key)
		c.mu.Unlock()
		return store.PixelShop{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= maxPixelKeys {
		c.evict(now)
	}
	c.keys[key] = cachedPixelShop{shop: shop, until: now.Add(pixelKeyTTL)}
	return shop, nil
}

// evict makes room: the expired keys go, and when none had expired,
// arbitrary ones (map order) until a tenth is free. c.mu is held.
func (c *pixelShops) evict(now time.Time) {
	for k, s := range c.keys {
		if !now.Before(s.until) {
			delete(c.keys, k)
		}
	}
	for k := range c.keys {
		if len(c.keys) < maxPixelKeys*9/10 {
			break
		}
		delete(c.keys, k)
	}
}

// forget drops the keys remembered for the shop of domain.
func (c *pixelShops) forget(domain string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, s := range c.keys {
		if s.shop.Domain == domain {
			delete(c.keys, k)
		}
	}
}
