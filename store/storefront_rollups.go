package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// daySeconds is the span of a storefront rollup's day rows: a UTC day.
const daySeconds = 86400

// storefrontSpans are the spans every visit counts in, once each: its UTC
// quarter-hour and its UTC day. A report sums the whole UTC days of its
// range and the quarters at its edges (storefrontPlan), so that a 90-day
// range reads about a hundred buckets, not 8,640, and stays exact in any
// zone (quarterSeconds says why quarters are enough).
var storefrontSpans = []int64{quarterSeconds, daySeconds}

// bucketOf is the bucket of span seconds that Unix second sec falls in.
func bucketOf(sec, span int64) int64 {
	b := sec / span
	if sec%span < 0 {
		b--
	}
	return b
}

// storefrontStages is how many furthest stages a rollup row counts
// visits of: funnel.StorefrontVisited to funnel.StorefrontCompleted.
const storefrontStages = int(funnel.StorefrontCompleted) + 1

// microKeys is every micro conversion of funnel.PageMicros, in its order.
func microKeys() []funnel.MicroKey {
	var out []funnel.MicroKey
	for _, pm := range funnel.PageMicros() {
		out = append(out, pm.Micro...)
	}
	return out
}

// The positions in a storefront_rollups row's sums (storefrontColumns).
var (
	sfBots            = storefrontStages
	sfPages           = sfBots + 1
	sfMicro           = sfPages + len(funnel.PageTypes())
	sfReviewsNotAdded = sfMicro + len(microKeys())
	sfProductViews    = sfReviewsNotAdded + 1
	sfProductAdds     = sfProductViews + 1
	sfWidth           = sfProductAdds + 1
)

// storefrontColumns are storefront_rollups' sum columns, in the order of
// a row's sums: the visits by furthest stage, the bots, the visits per
// page type viewed and per micro conversion, reviews reached and nothing
// added, the product view and add events.
func storefrontColumns() []string {
	cols := make([]string, 0, sfWidth)
	for st := range storefrontStages {
		cols = append(cols, "visits_"+strconv.Itoa(st))
	}
	cols = append(cols, "bots")
	for _, p := range funnel.PageTypes() {
		cols = append(cols, "page_"+string(p))
	}
	for _, m := range microKeys() {
		cols = append(cols, "micro_"+string(m))
	}
	return append(cols, "reviews_not_added", "product_views", "product_adds")
}

// storefrontProductColumns are storefront_product_rollups' sum columns, in
// the order of productSums.
var storefrontProductColumns = []string{"visits", "adds", "orders", "view_events", "add_events", "add_value"}

// productSums are a product row's sums: the visits that viewed or added
// the product, that added it, that added it and completed; its distinct
// view and add events and the adds' value (minor units).
type productSums [6]int64

// visitSums is what one visit counts in its storefront_rollups row, the
// domain's rule (funnel.StorefrontTally.Add) put in columns: a bot visit
// only in bots.
func visitSums(v funnel.Visit) []int64 {
	if v.Bot {
		out := make([]int64, sfWidth)
		out[sfBots] = 1
		return out
	}
	page, micro := visitMasks(v)
	out := sumsOfMasks(v.Furthest(), page, micro)
	for _, p := range v.Products {
		out[sfProductViews] += int64(p.ViewCount())
		out[sfProductAdds] += int64(p.AddCount())
	}
	return out
}

// visitMasks are the page types a (non-bot) visit viewed (funnel.Visit.Viewed)
// and the micro conversions it made (Micro), one bit each in the order of
// funnel.PageTypes and microKeys.
func visitMasks(v funnel.Visit) (page, micro int64) {
	for i, p := range funnel.PageTypes() {
		if v.Viewed(p) {
			page |= 1 << i
		}
	}
	for i, m := range microKeys() {
		if v.Micro(m) {
			micro |= 1 << i
		}
	}
	return page, micro
}

// sumsOfMasks is the row sums of one non-bot visit of furthest stage
// furthest and masks page and micro (visitMasks), its product counts left
// out.
func sumsOfMasks(furthest funnel.StorefrontStage, page, micro int64) []int64 {
	out := make([]int64, sfWidth)
	out[int(furthest)] = 1
	for i := range funnel.PageTypes() {
		out[sfPages+i] = page >> i & 1
	}
	reviews := slices.Index(microKeys(), funnel.MicroReviewsReached)
	for i := range microKeys() {
		out[sfMicro+i] = micro >> i & 1
	}
	if micro>>reviews&1 == 1 && furthest < funnel.StorefrontAddedToCart {
		out[sfReviewsNotAdded] = 1
	}
	return out
}

// tallyOf turns summed row sums back into the tally funnel.StorefrontTally.Add
// would have built from the same visits: maps only once a non-bot visit
// counted, an entry only for a page or micro conversion some visit made.
func tallyOf(sums []int64) *funnel.StorefrontTally {
	t := &funnel.StorefrontTally{Bots: sums[sfBots], ReviewsNotAdded: sums[sfReviewsNotAdded],
		ProductViews: sums[sfProductViews], ProductAdds: sums[sfProductAdds]}
	copy(t.Furthest[:], sums[:storefrontStages])
	if t.Visits() == 0 {
		return t
	}
	t.Pages, t.Micro = map[funnel.PageType]int64{}, map[funnel.MicroKey]int64{}
	for i, p := range funnel.PageTypes() {
		if n := sums[sfPages+i]; n != 0 {
			t.Pages[p] = n
		}
	}
	for i, m := range microKeys() {
		if n := sums[sfMicro+i]; n != 0 {
			t.Micro[m] = n
		}
	}
	return t
}

// sfKey is a storefront_rollups row (span and bucket zero when the key
// only groups a read by device and landing page type).
type sfKey struct {
	shop, span, bucket int64
	device, landing    string
}

// sfProductKey is a storefront_product_rollups row (span and bucket zero
// in a read).
type sfProductKey struct {
	shop, span, bucket int64
	product, title     string
}

// storefrontDeltas are the changes a transaction makes to the storefront
// rollups, or, in a read, what it adds to the rows it summed.
type storefrontDeltas struct {
	visits   map[sfKey][]int64
	products map[sfProductKey]productSums
	// flat leaves span and bucket out of the keys (a read's deltas).
	flat bool
}

func newStorefrontDeltas() *storefrontDeltas {
	return &storefrontDeltas{visits: map[sfKey][]int64{}, products: map[sfProductKey]productSums{}}
}

// add counts the shop's visit v sign times (+1 written, -1 replaced or
// deleted) in each of its buckets.
func (d *storefrontDeltas) add(shopID int64, v funnel.Visit, sign int64) {
	sums := visitSums(v)
	spans := storefrontSpans
	if d.flat {
		spans = []int64{0}
	}
	for _, span := range spans {
		var bucket int64
		if span != 0 {
			bucket = bucketOf(v.Start.Unix(), span)
		}
		k := sfKey{shop: shopID, span: span, bucket: bucket, device: string(v.Device), landing: string(v.Landing)}
		row := d.visits[k]
		if row == nil {
			row = make([]int64, sfWidth)
			d.visits[k] = row
		}
		for i, n := range sums {
			row[i] += sign * n
		}
		if v.Bot {
			continue // products count no bot
		}
		completed := v.Reached(funnel.StorefrontCompleted)
		for id, p := range v.Products {
			pk := sfProductKey{shop: shopID, span: span, bucket: bucket, product: id, title: p.Title}
			ps := d.products[pk]
			added := int64(0)
			if p.AddCount() > 0 {
				added = 1
			}
			ps[0] += sign
			ps[1] += sign * added
			if completed {
				ps[2] += sign * added
			}
			ps[3] += sign * int64(p.ViewCount())
			ps[4] += sign * int64(p.AddCount())
			ps[5] += sign * p.AddValue()
			d.products[pk] = ps
		}
	}
}

// sortedVisitKeys returns the keys with a non-zero delta in key order: the
// order every transaction updates the rows in, so that concurrent ones
// cannot deadlock on them.
func (d *storefrontDeltas) sortedVisitKeys() []sfKey {
	keys := make([]sfKey, 0, len(d.visits))
	for k, v := range d.visits {
		if slices.ContainsFunc(v, func(n int64) bool { return n != 0 }) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b sfKey) int {
		return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.span, b.span), cmp.Compare(a.bucket, b.bucket),
			strings.Compare(a.device, b.device), strings.Compare(a.landing, b.landing))
	})
	return keys
}

// sortedProductKeys is sortedVisitKeys for the product rows.
func (d *storefrontDeltas) sortedProductKeys() []sfProductKey {
	keys := make([]sfProductKey, 0, len(d.products))
	for k, v := range d.products {
		if v != (productSums{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b sfProductKey) int {
		return cmp.Or(cmp.Compare(a.shop, b.shop), cmp.Compare(a.span, b.span), cmp.Compare(a.bucket, b.bucket),
			strings.Compare(a.product, b.product), strings.Compare(a.title, b.title))
	})
	return keys
}

// upsertTail is the ON CONFLICT clause that adds a row's sums to the row
// stored under its key.
func upsertTail(table, key string, cols []string) string {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	return " ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(set, ", ")
}

var (
	sfVisitsUpsert   = upsertTail("storefront_rollups", "shop_id, span, bucket, device, landing_page_type", storefrontColumns())
	sfProductsUpsert = upsertTail("storefront_product_rollups", "shop_id, span, bucket, product_id, title", storefrontProductColumns)
)

// statements returns the multi-row upserts that add the deltas on tx's
// database, in rows of at most storefrontInsertRows (rowsPerStatement),
// with ? placeholders (gorm's).
func (d *storefrontDeltas) statements(tx *gorm.DB) []statement {
	var out []statement
	vcols := storefrontColumns()
	vWidth, pWidth := 5+sfWidth, 5+len(storefrontProductColumns)
	for chunk := range slices.Chunk(d.sortedVisitKeys(), rowsPerStatement(tx, vWidth, storefrontInsertRows)) {
		args := make([]any, 0, len(chunk)*vWidth)
		for _, k := range chunk {
			args = append(args, k.shop, k.span, k.bucket, k.device, k.landing)
			for _, n := range d.visits[k] {
				args = append(args, n)
			}
		}
		out = append(out, statement{"INSERT INTO storefront_rollups (shop_id, span, bucket, device, landing_page_type, " +
			strings.Join(vcols, ", ") + ") VALUES " + valueRows(len(chunk), vWidth) + sfVisitsUpsert, args})
	}
	for chunk := range slices.Chunk(d.sortedProductKeys(), rowsPerStatement(tx, pWidth, storefrontInsertRows)) {
		args := make([]any, 0, len(chunk)*pWidth)
		for _, k := range chunk {
			args = append(args, k.shop, k.span, k.bucket, k.product, k.title)
			for _, n := range d.products[k] {
				args = append(args, n)
			}
		}
		out = append(out, statement{"INSERT INTO storefront_product_rollups (shop_id, span, bucket, product_id, title, " +
			strings.Join(storefrontProductColumns, ", ") + ") VALUES " + valueRows(len(chunk), pWidth) + sfProductsUpsert, args})
	}
	return out
}

// apply adds the deltas through gorm (SQLite's ingest, and redaction on
// either database).
func (d *storefrontDeltas) apply(tx *gorm.DB) error {
	if err := execAll(tx, d.statements(tx)); err != nil {
		return fmt.Errorf("updating the storefront rollups: %w", err)
	}
	return nil
}

// pgApply adds the deltas on PostgreSQL's ingest connection: one statement
// per table whatever the number of rows, each column an array (unnest),
// so that the statement's text, and pgx's cached plan, stay the same.
func (d *storefrontDeltas) pgApply(ctx context.Context, tx pgExecer) error {
	if keys := d.sortedVisitKeys(); len(keys) > 0 {
		shops, spans, buckets := make([]int64, len(keys)), make([]int64, len(keys)), make([]int64, len(keys))
		devices, landings := make([]string, len(keys)), make([]string, len(keys))
		cols := make([][]int64, sfWidth)
		for c := range cols {
			cols[c] = make([]int64, len(keys))
		}
		for i, k := range keys {
			shops[i], spans[i], buckets[i], devices[i], landings[i] = k.shop, k.span, k.bucket, k.device, k.landing
			for c, n := range d.visits[k] {
				cols[c][i] = n
			}
		}
		args := []any{shops, spans, buckets, devices, landings}
		for _, c := range cols {
			args = append(args, c)
		}
		if _, err := tx.Exec(ctx, pgUnnestInsert("storefront_rollups", "shop_id, span, bucket, device, landing_page_type",
			[]string{"bigint", "int", "bigint", "text", "text"}, storefrontColumns())+sfVisitsUpsert, args...); err != nil {
			return fmt.Errorf("updating the storefront rollups: %w", err)
		}
	}
	if keys := d.sortedProductKeys(); len(keys) > 0 {
		shops, spans, buckets := make([]int64, len(keys)), make([]int64, len(keys)), make([]int64, len(keys))
		products, titles := make([]string, len(keys)), make([]string, len(keys))
		cols := make([][]int64, len(storefrontProductColumns))
		for c := range cols {
			cols[c] = make([]int64, len(keys))
		}
		for i, k := range keys {
			shops[i], spans[i], buckets[i], products[i], titles[i] = k.shop, k.span, k.bucket, k.product, k.title
			for c, n := range d.products[k] {
				cols[c][i] = n
			}
		}
		args := []any{shops, spans, buckets, products, titles}
		for _, c := range cols {
			args = append(args, c)
		}
		if _, err := tx.Exec(ctx, pgUnnestInsert("storefront_product_rollups", "shop_id, span, bucket, product_id, title",
			[]string{"bigint", "int", "bigint", "text", "text"}, storefrontProductColumns)+sfProductsUpsert, args...); err != nil {
			return fmt.Errorf("updating the storefront rollups: %w", err)
		}
	}
	return nil
}

// pgUnnestInsert is an INSERT of table's key columns (of keyTypes) and
// bigint sum columns from one array parameter each.
func pgUnnestInsert(table, key string, keyTypes, cols []string) string {
	params := make([]string, 0, len(keyTypes)+len(cols))
	for i, t := range keyTypes {
		params = append(params, "$"+strconv.Itoa(i+1)+"::"+t+"[]")
	}
	for i := range cols {
		params = append(params, "$"+strconv.Itoa(len(keyTypes)+i+1)+"::bigint[]")
	}
	return "INSERT INTO " + table + " (" + key + ", " + strings.Join(cols, ", ") + ") SELECT * FROM unnest(" + strings.Join(params, ", ") + ")"
}
