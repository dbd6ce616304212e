package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// StorefrontTallies is what the storefront report reads for a range: the
// tally of the (non-bot) visits by segment value (AllSegment alone when
// there is no segment), by device (every device, for the device
// comparison; "unknown" for visits with no user agent), and the products
// (funnel.ProductTallies), most viewed first. Bot visits count only in the tallies' Bots.
type StorefrontTallies struct {
	Segments map[string]*funnel.StorefrontTally
	Devices  map[funnel.Device]*funnel.StorefrontTally
	Products []funnel.ProductTally
}

// StorefrontTallies tallies the shop's visits that started in the days of
// days (shop-local days in days' zone), split by segment: "" for none,
// funnel.SegmentDevice or funnel.SegmentLandingPageType. It sums the
// storefront rollups of the range (storefrontPlan: whole UTC days and
// edge quarters), which count a visit an order completed as completed
// (countedVisit, kept at write time), and folds the visits of a partial
// quarter, when a bound is not on one, from the visits themselves, counted
// the same way: the result is what funnel.StorefrontTally.Add and
// funnel.ProductTallies.Add give over Visits (TestStorefrontRollupsOracle).
func (s *Store) StorefrontTallies(ctx context.Context, shopID int64, days funnel.DayRange, segment string) (StorefrontTallies, error) {
	if segment != "" && segment != funnel.SegmentDevice && segment != funnel.SegmentLandingPageType {
		return StorefrontTallies{}, fmt.Errorf("store: the storefront report has no segment %q", segment)
	}
	plan := planStorefront(days.Start(), days.End())
	// Two reads side by side on PostgreSQL (each on a connection of its
	// own), each into deltas of its own: the visits' rollups, and the
	// products' with the partial quarters.
	reads := []*storefrontDeltas{newStorefrontDeltas(), newStorefrontDeltas()}
	for _, d := range reads {
		d.flat = true
	}
	err := s.sideBySide(ctx,
		func(ctx context.Context) error { return s.readStorefrontVisits(ctx, shopID, plan, reads[0]) },
		func(ctx context.Context) error {
			if err := s.readStorefrontProducts(ctx, shopID, plan, reads[1]); err != nil {
				return err
			}
			for _, r := range plan.partial {
				if err := s.foldCountedVisits(ctx, shopID, r[0], r[1], reads[1]); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return StorefrontTallies{}, fmt.Errorf("store: storefront report of shop %d: %w", shopID, err)
	}
	d := reads[0]
	d.merge(reads[1])
	return d.tallies(segment), nil
}

// foldCountedVisits adds into d the shop's visits that started in [start,
// end) as the rollups count them (countedVisit).
func (s *Store) foldCountedVisits(ctx context.Context, shopID int64, start, end time.Time, d *storefrontDeltas) error {
	var rows []visitRow
	err := s.db(ctx).Where("shop_id = ? AND started_at >= ? AND started_at < ?", shopID, utc(start), utc(end)).Find(&rows).Error
	if err != nil {
		return fmt.Errorf("loading the visits of a partial quarter: %w", err)
	}
	for _, r := range rows {
		v, err := r.visit()
		if err != nil {
			return err
		}
		d.add(shopID, countedVisit(v, r.CompletedByOrder), 1)
	}
	return nil
}

// tallies builds the report's tallies from a read's deltas.
func (d *storefrontDeltas) tallies(segment string) StorefrontTallies {
	segs, devs := map[string][]int64{}, map[funnel.Device][]int64{}
	sum := func(into, from []int64) []int64 {
		if into == nil {
			into = make([]int64, sfWidth)
		}
		for i, n := range from {
			into[i] += n
		}
		return into
	}
	for k, sums := range d.visits {
		if !slices.ContainsFunc(sums, func(n int64) bool { return n != 0 }) {
			continue
		}
		v := funnel.Visit{Device: funnel.Device(k.device), Landing: funnel.PageType(k.landing)}
		key := AllSegment
		if segment != "" {
			key = funnel.VisitSegmentValue(v, segment)
		}
		segs[key] = sum(segs[key], sums)
		dev := funnel.Device(funnel.VisitSegmentValue(v, funnel.SegmentDevice))
		devs[dev] = sum(devs[dev], sums)
	}
	out := StorefrontTallies{Segments: map[string]*funnel.StorefrontTally{}, Devices: map[funnel.Device]*funnel.StorefrontTally{}}
	for k, sums := range segs {
		out.Segments[k] = tallyOf(sums)
	}
	for k, sums := range devs {
		out.Devices[k] = tallyOf(sums)
	}
	products := funnel.ProductTallies{}
	for k, ps := range d.products {
		if ps[0] == 0 {
			continue // no visit of the range names the product with this title
		}
		t := products[k.product]
		if t == nil {
			t = &funnel.ProductTally{ProductID: k.product}
			products[k.product] = t
		}
		t.Title = max(t.Title, k.title)
		t.Views += ps[0]
		t.Adds += ps[1]
		t.Orders += ps[2]
		t.ViewEvents += ps[3]
		t.AddEvents += ps[4]
		t.AddValue, _ = funnel.AddAmount(t.AddValue, ps[5])
	}
	out.Products = products.Rows()
	slices.SortStableFunc(out.Products, func(a, b funnel.ProductTally) int { return cmp.Compare(b.Views, a.Views) })
	return out
}

// storefrontPlan is how a report reads the visits that started in [start,
// end): the rollup rows of ranges (span, first and end bucket), which
// cover [from, to), and the visits of the partial quarters, which a bound
// not on a quarter-hour cuts (none for any zone in use today), read from
// visits.
type storefrontPlan struct {
	ranges   [][3]int64
	from, to time.Time
	partial  [][2]time.Time
}

// planStorefront plans [start, end): the whole UTC days inside it from the
// day rows, the quarters before and after them from the quarter rows.
func planStorefront(start, end time.Time) storefrontPlan {
	var p storefrontPlan
	if !start.Before(end) {
		return p
	}
	qs, qe := ceilQuarter(start), quarterOf(end)
	if qs >= qe {
		p.partial = [][2]time.Time{{start, end}}
		return p
	}
	p.from, p.to = time.Unix(qs*quarterSeconds, 0).UTC(), time.Unix(qe*quarterSeconds, 0).UTC()
	if start.Before(p.from) {
		p.partial = append(p.partial, [2]time.Time{start, p.from})
	}
	if p.to.Before(end) {
		p.partial = append(p.partial, [2]time.Time{p.to, end})
	}
	perDay := int64(daySeconds / quarterSeconds)
	ds, de := -bucketOf(-qs, perDay), bucketOf(qe, perDay)
	if ds >= de {
		p.ranges = [][3]int64{{quarterSeconds, qs, qe}}
		return p
	}
	for _, r := range [][3]int64{{quarterSeconds, qs, ds * perDay}, {daySeconds, ds, de}, {quarterSeconds, de * perDay, qe}} {
		if r[1] < r[2] {
			p.ranges = append(p.ranges, r)
		}
	}
	return p
}

// where is the condition on a rollup table's span and bucket.
func (p storefrontPlan) where() (string, []any) {
	conds := make([]string, len(p.ranges))
	var args []any
	for i, r := range p.ranges {
		conds[i] = "(span = ? AND bucket >= ? AND bucket < ?)"
		args = append(args, r[0], r[1], r[2])
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// merge adds o's deltas to d's.
func (d *storefrontDeltas) merge(o *storefrontDeltas) {
	for k, sums := range o.visits {
		row := d.visits[k]
		if row == nil {
			row = make([]int64, sfWidth)
			d.visits[k] = row
		}
		for i, n := range sums {
			row[i] += n
		}
	}
	for k, ps := range o.products {
		q := d.products[k]
		for i, n := range ps {
			q[i] += n
		}
		d.products[k] = q
	}
}

// readStorefrontVisits adds the visits' rollup rows of the plan's ranges
// into d, summed by device and landing page type.
func (s *Store) readStorefrontVisits(ctx context.Context, shopID int64, p storefrontPlan, d *storefrontDeltas) error {
	if len(p.ranges) == 0 {
		return nil
	}
	cond, args := p.where()
	rows, err := s.db(ctx).Raw(`SELECT device, landing_page_type, `+rollupSumsOf(storefrontColumns())+` FROM storefront_rollups
		WHERE shop_id = ? AND `+cond+` GROUP BY device, landing_page_type`, append([]any{shopID}, args...)...).Rows()
	if err != nil {
		return fmt.Errorf("summing the visits: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		k := sfKey{shop: shopID}
		sums := make([]int64, sfWidth)
		targets := []any{&k.device, &k.landing}
		for i := range sums {
			targets = append(targets, &sums[i])
		}
		if err := rows.Scan(targets...); err != nil {
			return fmt.Errorf("summing the visits: %w", err)
		}
		d.visits[k] = sums
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("summing the visits: %w", err)
	}
	return nil
}

// readStorefrontProducts adds the products' rollup rows of the plan's
// ranges into d, summed by product and title.
func (s *Store) readStorefrontProducts(ctx context.Context, shopID int64, p storefrontPlan, d *storefrontDeltas) error {
	if len(p.ranges) == 0 {
		return nil
	}
	cond, args := p.where()
	rows, err := s.db(ctx).Raw(`SELECT product_id, title, `+rollupSumsOf(storefrontProductColumns)+` FROM storefront_product_rollups
		WHERE shop_id = ? AND `+cond+` GROUP BY product_id, title`, append([]any{shopID}, args...)...).Rows()
	if err != nil {
		return fmt.Errorf("summing the products: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		k := sfProductKey{shop: shopID}
		var ps productSums
		if err := rows.Scan(&k.product, &k.title, &ps[0], &ps[1], &ps[2], &ps[3], &ps[4], &ps[5]); err != nil {
			return fmt.Errorf("summing the products: %w", err)
		}
		d.products[k] = ps
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("summing the products: %w", err)
	}
	return nil
}

// RebuildStorefrontRollups recomputes the shop's storefront rollups from
// its visits, as Migrate does once for every shop when it creates them:
// every visit counted as written, then the ones a completed session's
// checkout names moved to completed (completeVisitsByOrders), as the
// ingest leaves them. The ingest keeps them exact; this is for data loaded
// around it and for repairs.
func (s *Store) RebuildStorefrontRollups(ctx context.Context, shopID int64) error {
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error { return rebuildStorefrontRollups(tx, shopID) })
	if err != nil {
		return fmt.Errorf("store: rebuilding the storefront rollups of shop %d: %w", shopID, err)
	}
	return nil
}

func rebuildStorefrontRollups(tx *gorm.DB, shopID int64) error {
	for _, table := range []string{"storefront_rollups", "storefront_product_rollups"} {
		if err := tx.Exec("DELETE FROM "+table+" WHERE shop_id = ?", shopID).Error; err != nil {
			return err
		}
	}
	if err := tx.Exec("UPDATE visits SET completed_by_order = ? WHERE shop_id = ? AND completed_by_order", false, shopID).Error; err != nil {
		return err
	}
	// One scan in id order, decoded as it streams (batches of "id > last"
	// would each search the shop's visits again).
	rows, err := tx.Raw("SELECT id, summary FROM visits WHERE shop_id = ? ORDER BY id", shopID).Rows()
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	l := NewStorefrontRollupLoad()
	var r visitRow
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.Summary); err != nil {
			return err
		}
		v, err := r.visit()
		if err != nil {
			return err
		}
		l.Add(shopID, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return l.apply(tx)
}

// forEachShopWithVisits calls f with each shop that has visits, one after
// the other, stopping at the first error: the data fills of the storefront
// migrations, which SQL cannot do (their rules are the domain's, in Go).
func (s *Store) forEachShopWithVisits(ctx context.Context, f func(shopID int64) error) error {
	var ids []int64
	if err := s.db(ctx).Raw("SELECT DISTINCT shop_id FROM visits").Scan(&ids).Error; err != nil {
		return fmt.Errorf("store: finding the shops with visits: %w", err)
	}
	for _, id := range ids {
		if err := f(id); err != nil {
			return err
		}
	}
	return nil
}

// rebuildAllStorefrontRollups fills the storefront rollups of every shop
// from its visits, for migration 00042, which creates them.
func (s *Store) rebuildAllStorefrontRollups(ctx context.Context) error {
	return s.forEachShopWithVisits(ctx, func(id int64) error { return s.RebuildStorefrontRollups(ctx, id) })
}

// completeAllVisitsByOrders moves the counts of every shop's visits that a
// completed session's checkout names and the rollups do not count
// completed yet: what migration 00044, which moves the orders' correction
// to write time, needs of the rollups kept.
func (s *Store) completeAllVisitsByOrders(ctx context.Context) error {
	return s.forEachShopWithVisits(ctx, func(id int64) error {
		err := s.db(ctx).Transaction(func(tx *gorm.DB) error { return completeVisitsByOrders(tx, id, nil) })
		if err != nil {
			return fmt.Errorf("store: completing the visits of shop %d by its orders: %w", id, err)
		}
		return nil
	})
}

// StorefrontRollupLoad gathers the storefront rollups of visits loaded
// around the ingest (the benchmark's bulk load of visits, and
// RebuildStorefrontRollups), by the ingest's own rule.
type StorefrontRollupLoad struct {
	d     *storefrontDeltas
	shops []int64
}

// NewStorefrontRollupLoad starts an empty load.
func NewStorefrontRollupLoad() *StorefrontRollupLoad {
	return &StorefrontRollupLoad{d: newStorefrontDeltas()}
}

// Add counts the shop's stored visit v (as written, before any order
// completes it).
func (l *StorefrontRollupLoad) Add(shopID int64, v funnel.Visit) {
	l.d.add(shopID, v, 1)
	if !slices.Contains(l.shops, shopID) {
		l.shops = append(l.shops, shopID)
	}
}

// AddStorefrontRollups adds the load's counts to the storefront rollups,
// then moves those of the loaded shops' visits that a completed session's
// checkout names to completed (completeVisitsByOrders), in one
// transaction; the visits, their tokens and the sessions are stored
// already, none of the visits marked completed by an order.
func (s *Store) AddStorefrontRollups(ctx context.Context, l *StorefrontRollupLoad) error {
	if err := s.db(ctx).Transaction(l.apply); err != nil {
		return fmt.Errorf("store: adding storefront rollups: %w", err)
	}
	return nil
}

func (l *StorefrontRollupLoad) apply(tx *gorm.DB) error {
	if err := l.d.apply(tx); err != nil {
		return err
	}
	for _, id := range l.shops {
		if err := completeVisitsByOrders(tx, id, nil); err != nil {
			return err
		}
	}
	return nil
}
