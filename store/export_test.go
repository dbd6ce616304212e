package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// MigrateTo moves Funnelscope's schema up or down to version, for tests
// that check a migration against data written before it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.gooseProvider()
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version < cur {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("store: migrating to %d: %w", version, err)
	}
	return nil
}

// SessionColumns is the column list of the sessions table every write
// sets (all but id, shop_id and created_at).
func SessionColumns() []string { return sessionColumns() }

// StorefrontTalliesByFold is the storefront report's tallies by the
// domain's rule alone: every visit of the range (Visits, completed by its
// orders) folded with funnel.StorefrontTally.Add and
// funnel.ProductTallies.Add. The rollups must give the same.
func (s *Store) StorefrontTalliesByFold(ctx context.Context, shopID int64, days funnel.DayRange, segment string) (StorefrontTallies, error) {
	visits, err := s.Visits(ctx, shopID, days.Start(), days.End())
	if err != nil {
		return StorefrontTallies{}, err
	}
	out := StorefrontTallies{Segments: map[string]*funnel.StorefrontTally{}, Devices: map[funnel.Device]*funnel.StorefrontTally{}}
	products := funnel.ProductTallies{}
	add := func(m map[string]*funnel.StorefrontTally, k string, v funnel.Visit) {
		if m[k] == nil {
			m[k] = &funnel.StorefrontTally{}
		}
		m[k].Add(v)
	}
	devices := map[string]*funnel.StorefrontTally{}
	for _, v := range visits {
		key := AllSegment
		if segment != "" {
			key = funnel.VisitSegmentValue(v, segment)
		}
		add(out.Segments, key, v)
		add(devices, funnel.VisitSegmentValue(v, funnel.SegmentDevice), v)
		products.Add(v)
	}
	for k, t := range devices {
		out.Devices[funnel.Device(k)] = t
	}
	out.Products = products.Rows()
	slices.SortStableFunc(out.Products, func(a, b funnel.ProductTally) int { return cmp.Compare(b.Views, a.Views) })
	return out, nil
}
