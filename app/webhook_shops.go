package app

import (
	"context"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// installedShopTTL is how long the group commit trusts that a shop is
// installed without asking the database again;
// maxInstalledShops bounds how many it remembers.
const (
	installedShopTTL  = time.Second
	maxInstalledShops = 10000
)

// installedShops remembers for a second which shops are installed, so that
// a busy server asks the database once a second per shop rather than once
// per batch. Only installed shops are remembered, and an uninstall seen by
// this instance forgets its shop at once; a delivery racing an uninstall
// seen by another instance may still be applied within that second, as it
// could be when it arrived a moment earlier.
type installedShops struct {
	store *store.Store
	now   func() time.Time
	ids   *ttlCache[string, int64]
}

func newInstalledShops(st *store.Store, now func() time.Time) *installedShops {
	return &installedShops{store: st, now: now, ids: newTTLCache[string, int64](installedShopTTL, maxInstalledShops)}
}

// lookup returns the ids of the installed shops among domains, keyed by
// domain as given.
func (c *installedShops) lookup(ctx context.Context, domains []string) (map[string]int64, error) {
	now := c.now()
	ids := make(map[string]int64, len(domains))
	var missing []string
	for _, d := range domains {
		if id, ok := c.ids.get(d, now); ok {
			ids[d] = id
		} else {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return ids, nil
	}
	found, err := c.store.InstalledShopsByDomain(ctx, missing)
	if err != nil {
		return nil, err
	}
	for d, id := range found {
		c.ids.put(d, id, now)
		ids[d] = id
	}
	return ids, nil
}

// forgetShop drops what this instance remembers of the shop of domain
// (installed, and what its pixel keys open): called once it is
// uninstalled or erased, so that neither its webhooks nor its pixel key
// are taken a moment longer here.
func (a *App) forgetShop(domain string) {
	a.shops.forget(domain)
	a.pixelShops.forget(domain)
}

// forget drops what is remembered of domain's shop.
func (c *installedShops) forget(domain string) { c.ids.forget(domain) }
