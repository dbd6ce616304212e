package app

import (
	"context"
	"strings"
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
	keys  *ttlCache[string, store.PixelShop]
}

func newPixelShops(st *store.Store, now func() time.Time) *pixelShops {
	return &pixelShops{store: st, now: now, keys: newTTLCache[string, store.PixelShop](pixelKeyTTL, maxPixelKeys)}
}

// lookup is store.ShopByPixelKey through the cache.
func (c *pixelShops) lookup(ctx context.Context, key string) (store.PixelShop, error) {
	now := c.now()
	if shop, ok := c.keys.get(key, now); ok {
		return shop, nil
	}
	shop, err := c.store.ShopByPixelKey(ctx, key)
	if err != nil {
		c.keys.forget(key)
		return store.PixelShop{}, err
	}
	// The key shares the whole body's memory (ParseCollectBatch).
	c.keys.put(strings.Clone(key), shop, now)
	return shop, nil
}

// forget drops the keys remembered for the shop of domain.
func (c *pixelShops) forget(domain string) {
	c.keys.forgetFunc(func(_ string, shop store.PixelShop) bool { return shop.Domain == domain })
}
