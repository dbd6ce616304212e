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
// edge quarters), corrects them for the visits an order completed
// (storefrontOrderCorrections), and folds the visits of a partial quarter,
// when a bound is not on one, from the visits themselves: the result is
// what funnel.StorefrontTally.Add and funnel.ProductTallies.Add give over
// Visits (TestStorefrontRollupsOracle).
func (s *Store) StorefrontTallies(ctx context.Context, shopID int64, days funnel.DayRange, segment string) (StorefrontTallies, error) {
	if segment != "" && segment != funnel.SegmentDevice && segment != funnel.SegmentLandingPageType {
		return StorefrontTallies{}, fmt.Errorf("store: the storefront report has no segment %q", segment)
	}
	plan := planStorefront(days.Start(), days.End())
	// Three reads side by side on PostgreSQL (each on a connection of its
	// own), each into deltas of its own: the visits' rollups, the
	// products', and the orders' correction with the partial quarters.
	reads := []*storefrontDeltas{newStorefrontDeltas(), newStorefrontDeltas(), newStorefrontDeltas()}
	for _, d := range reads {
		d.flat = true
	}
	err := s.sideBySide(ctx,
		func(ctx context.Context) error { return s.readStorefrontVisits(ctx, shopID, plan, reads[0]) },
		func(ctx context.Context) error { return s.readStorefrontProducts(ctx, shopID, plan, reads[1]) },
		func(ctx context.Context) error {
			if err := s.storefrontOrderCorrections(ctx, shopID, plan.from, plan.to, reads[2]); err != nil {
				return err
			}
			for _, r := range plan.partial {
				visits, err := s.Visits(ctx, shopID, r[0], r[1])
				if err != nil {
					return err
				}
				for _, v := range visits {
					reads[2].add(shopID, v, 1)
				}
			}
			return nil
		})
	if err != nil {
		return StorefrontTallies{}, fmt.Errorf("store: storefront report of shop %d: %w", shopID, err)
	}
	d := reads[0]
	for _, o := range reads[1:] {
		d.merge(o)
	}
	return d.tallies(segment), nil
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

// storefrontOrderCorrections moves, in d, the visits that started in
// [from, to) and that an order completed (Visits' rule, CompleteByOrder)
// from what the rollups count them as (their stored visit: the ingest
// counts a visit as its pixel saw it) to their completed selves, and adds
// an order to each product such a visit added. Only a visit the pixel did
// not see complete can need it, so it reads the checkout tokens of those
// (visit_tokens_uncompleted) that a completed session carries, with the
// facts beside them (tokenFacts), and decodes no visit.
func (s *Store) storefrontOrderCorrections(ctx context.Context, shopID int64, from, to time.Time, d *storefrontDeltas) error {
	if from.IsZero() {
		return nil
	}
	corrected := `SELECT DISTINCT vt.visit_id, vt.device, vt.landing_page_type, vt.furthest_stage, vt.page_mask, vt.micro_mask,
			vt.done_page_mask, vt.done_micro_mask
		FROM visit_tokens vt
		WHERE vt.shop_id = ? AND vt.kind = 'checkout' AND vt.furthest_stage < ? AND NOT vt.bot
			AND vt.started_at >= ? AND vt.started_at < ?
			AND EXISTS (SELECT 1 FROM sessions s WHERE s.shop_id = vt.shop_id AND s.checkout_token = vt.token AND s.completed_at IS NOT NULL)`
	args := []any{shopID, int(funnel.StorefrontCompleted), utc(from), utc(to)}
	var rows []struct {
		VisitID                     int64
		Device, LandingPageType     string
		FurthestStage               int
		PageMask, MicroMask         int64
		DonePageMask, DoneMicroMask int64
	}
	if err := s.db(ctx).Raw(corrected, args...).Scan(&rows).Error; err != nil {
		return fmt.Errorf("loading the visits orders completed: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.VisitID
		k := sfKey{shop: shopID, device: r.Device, landing: r.LandingPageType}
		row := d.visits[k]
		if row == nil {
			row = make([]int64, sfWidth)
			d.visits[k] = row
		}
		was := sumsOfMasks(funnel.StorefrontStage(r.FurthestStage), r.PageMask, r.MicroMask)
		done := sumsOfMasks(funnel.StorefrontCompleted, r.DonePageMask, r.DoneMicroMask)
		for i := range row {
			row[i] += done[i] - was[i]
		}
	}
	var orders []struct {
		ProductID, Title string
		N                int64
	}
	// By the ids found (visit_products_visit_id), in chunks within
	// SQLite's parameter limit, rather than running the search again.
	for chunk := range slices.Chunk(ids, 5000) {
		var got []struct {
			ProductID, Title string
			N                int64
		}
		err := s.db(ctx).Raw(`SELECT product_id, title, COUNT(*) AS n FROM visit_products
			WHERE shop_id = ? AND adds > 0 AND visit_id IN ? GROUP BY product_id, title`, shopID, chunk).Scan(&got).Error
		if err != nil {
			return fmt.Errorf("loading the products of the visits orders completed: %w", err)
		}
		orders = append(orders, got...)
	}
	for _, o := range orders {
		k := sfProductKey{shop: shopID, product: o.ProductID, title: o.Title}
		ps := d.products[k]
		ps[2] += o.N
		d.products[k] = ps
	}
	return nil
}

// RebuildStorefrontRollups recomputes the shop's storefront rollups, and
// the facts its visits' tokens carry for the orders correction, from its
// visits, as Migrate does once for every shop when it creates them.
// The ingest keeps them exact; this is for data loaded around it and for
// repairs.
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
		l.Add(shopID, r.ID, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return l.apply(tx)
}

// rebuildAllStorefrontRollups fills the storefront rollups of every shop
// from its visits: what migration 00042, which creates them, cannot do in
// SQL (the rules are the domain's, in Go).
func (s *Store) rebuildAllStorefrontRollups(ctx context.Context) error {
	var ids []int64
	if err := s.db(ctx).Raw("SELECT DISTINCT shop_id FROM visits").Scan(&ids).Error; err != nil {
		return fmt.Errorf("store: filling the storefront rollups: %w", err)
	}
	for _, id := range ids {
		if err := s.RebuildStorefrontRollups(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// StorefrontRollupLoad gathers the storefront rollups of visits loaded
// around the ingest (the benchmark's bulk load of visits, and
// RebuildStorefrontRollups), by the ingest's own rule, and the facts
// their checkout tokens carry (tokenFacts).
type StorefrontRollupLoad struct {
	d     *storefrontDeltas
	facts []loadFacts
}

type loadFacts struct {
	shop, visit int64
	facts       tokenFacts
}

// NewStorefrontRollupLoad starts an empty load.
func NewStorefrontRollupLoad() *StorefrontRollupLoad {
	return &StorefrontRollupLoad{d: newStorefrontDeltas()}
}

// Add counts the shop's stored visit v of id visitID (as written, before
// any order completes it).
func (l *StorefrontRollupLoad) Add(shopID, visitID int64, v funnel.Visit) {
	l.d.add(shopID, v, 1)
	if len(v.CheckoutTokens) > 0 {
		l.facts = append(l.facts, loadFacts{shopID, visitID, tokenFactsOf(v)})
	}
}

// AddStorefrontRollups adds the load's counts to the storefront rollups,
// and sets its visits' token facts, in one transaction; the visits and
// their tokens are stored already.
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
	set := strings.Join(visitTokenFactColumns, " = ?, ") + " = ?"
	for _, f := range l.facts {
		if err := tx.Exec("UPDATE visit_tokens SET "+set+" WHERE shop_id = ? AND visit_id = ?", append(f.facts.list(), f.shop, f.visit)...).Error; err != nil {
			return fmt.Errorf("setting the facts of visit %d's tokens: %w", f.visit, err)
		}
	}
	return nil
}
