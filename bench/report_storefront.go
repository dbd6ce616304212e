package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// storefrontJSON is what the report bench reads of /api/funnel's
// storefront block.
type storefrontJSON struct {
	Visits   int64 `json:"visits"`
	Products []struct {
		ProductID string `json:"product_id"`
	} `json:"products"`
}

// loadVisits bulk-loads perShop storefront visits for every shop with COPY
// (the visits and their tokens, as /collect would have left them; not
// their visit_products, which no report reads), turns each shop's pixel
// on, and writes their storefront rollups by the store's own rule
// (store.StorefrontRollupLoad, the ingest's: the visits whose checkout a
// loaded session's order completed count completed) and the sessions'
// payments (store.RebuildSessionPayments), then vacuums.
func loadVisits(ctx context.Context, sch *schema, st *store.Store, ids []int64, perShop, sessions, days int, now time.Time) error {
	logf("loading %d visits for each of %d shops into %s", perShop, len(ids), sch.name)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	sem := make(chan struct{}, 2)
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- loadShopVisits(ctx, sch, st, i, id, perShop, sessions, days, now)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	if _, err := sch.admin.Exec(ctx, "SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM "+
		pgx.Identifier{sch.name, "visits"}.Sanitize()+"))", sch.name+".visits"); err != nil {
		return err
	}
	logf("visits loaded in %s; vacuum analyze", time.Since(start).Round(time.Second))
	for _, t := range []string{"visits", "visit_tokens", "storefront_rollups", "storefront_product_rollups", "session_payments"} {
		if _, err := sch.admin.Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{sch.name, t}.Sanitize()); err != nil {
			return err
		}
	}
	logf("visits ready after %s", time.Since(start).Round(time.Second))
	return nil
}

// loadShopVisits loads one shop's visits and rolls them up.
func loadShopVisits(ctx context.Context, sch *schema, st *store.Store, shop int, id int64, perShop, sessions, days int, now time.Time) error {
	if _, err := st.EnsurePixelKey(ctx, id); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, sch.url)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "UPDATE pixel_keys SET last_event_at = $1 WHERE shop_id = $2", now, id); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(id), 14))
	var tokens [][]any
	rollups := store.NewStorefrontRollupLoad()
	n := 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"visits"},
		[]string{"id", "shop_id", "client_id", "started_at", "ended_at", "quarter", "device", "landing_page_type", "source",
			"furthest_stage", "bot", "summary", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if n == perShop {
				return nil, nil
			}
			n++
			vid := int64(shop)*int64(perShop) + int64(n)
			v := benchVisit(rng, shop, n, sessions, days, now)
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			rollups.Add(id, v)
			tokens = append(tokens, store.VisitTokenValues(id, vid, v)...)
			return []any{vid, id, v.ClientID, v.Start, v.End, v.Start.Unix() / 900, string(v.Device), string(v.Landing), string(v.Source),
				int32(v.Furthest()), v.Bot, string(b), now}, nil
		}))
	if err != nil {
		return fmt.Errorf("copying visits: %w", err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"visit_tokens"}, store.VisitTokenColumns, pgx.CopyFromRows(tokens)); err != nil {
		return fmt.Errorf("copying visit tokens: %w", err)
	}
	if err := st.AddStorefrontRollups(ctx, rollups); err != nil {
		return err
	}
	return st.RebuildSessionPayments(ctx, id)
}

// benchVisit is one visit as /collect would have folded it: started
// uniformly over the days, mostly mobile, landing on a home, product or
// collection page, most stopping before a product or the cart (the
// loadgen mix of DESIGN's storefront funnel: about 45% view a product, 8%
// add to cart, 4% start a checkout, 2% complete), with micro conversions
// at plausible rates and one to three of the shop's 200 products. A
// checkout carries the checkout token of one of the shop's sessions, so
// that some visits the pixel did not see complete are completed by that
// session's order (moved in the rollups at load, as the ingest does); 1% are bots.
func benchVisit(rng *rand.Rand, shop, n, sessions, days int, now time.Time) funnel.Visit {
	start := now.Add(-time.Duration(rng.Int64N(int64(days) * int64(24*time.Hour)))).Truncate(time.Second).UTC()
	key := func(i int) funnel.EventKey {
		return funnel.EventKey{At: start.Add(time.Duration(i) * time.Minute), ID: fmt.Sprintf("e%d", i)}
	}
	v := funnel.Visit{ClientID: fmt.Sprintf("c%d-%d", shop, n), Start: start, FirstID: "e0", Bot: rng.IntN(100) == 0}
	v.Device = []funnel.Device{funnel.DeviceMobile, funnel.DeviceMobile, funnel.DeviceMobile, funnel.DeviceDesktop, funnel.DeviceDesktop, funnel.DeviceTablet}[rng.IntN(6)]
	v.DeviceFrom, v.LandingFrom = key(0), key(0)
	v.Landing = []funnel.PageType{funnel.PageHome, funnel.PageHome, funnel.PageProduct, funnel.PageProduct, funnel.PageCollection, funnel.PageSearch, funnel.PagePage}[rng.IntN(7)]
	v.LandingPath, v.Source = "/", funnel.TrafficSource([]string{"direct", "search", "social", "email"}[rng.IntN(4)])
	furthest := funnel.StorefrontVisited
	switch p := rng.IntN(1000); {
	case p < 20:
		furthest = funnel.StorefrontCompleted
	case p < 25:
		furthest = funnel.StorefrontPaymentReached
	case p < 40:
		furthest = funnel.StorefrontCheckoutStarted
	case p < 80:
		furthest = funnel.StorefrontAddedToCart
	case p < 450:
		furthest = funnel.StorefrontViewedProduct
	}
	if v.Landing == funnel.PageProduct && furthest < funnel.StorefrontViewedProduct {
		furthest = funnel.StorefrontViewedProduct
	}
	for st := funnel.StorefrontVisited; st <= furthest; st++ {
		v.Stages[st] = key(int(st)).At
	}
	v.End = key(int(furthest) + 1).At
	pages := map[funnel.PageType]bool{v.Landing: true}
	if rng.IntN(3) == 0 {
		pages[funnel.PageCollection] = true
	}
	if furthest >= funnel.StorefrontViewedProduct {
		pages[funnel.PageProduct] = true
	}
	if furthest >= funnel.StorefrontAddedToCart && rng.IntN(2) == 0 {
		pages[funnel.PageCart] = true
	}
	for _, p := range funnel.PageTypes() {
		if pages[p] {
			v.Pages = append(v.Pages, p)
		}
	}
	v.LastPageView = key(int(furthest) + 1)
	if pages[funnel.PageHome] {
		v.FirstHomeView = key(0)
		v.ScrolledHalf = rng.IntN(2) == 0
	}
	if pages[funnel.PageCollection] {
		v.FirstCollectionView = key(0)
		v.Filtered = rng.IntN(5) == 0
	}
	if furthest >= funnel.StorefrontViewedProduct {
		v.LastProductView = key(1)
		v.Gallery, v.ReviewsReached, v.VariantSelected = rng.IntN(2) == 0, rng.IntN(3) == 0, rng.IntN(4) == 0
		v.Products = map[string]funnel.ProductActivity{}
		for i := range 1 + rng.IntN(3) {
			pid := fmt.Sprintf("gid://shopify/Product/%d", 1000+rng.IntN(200))
			p := funnel.ProductActivity{Title: "Product " + pid[len(pid)-4:], TitleFrom: key(1), Views: []string{fmt.Sprintf("v%d", i)}}
			if i == 0 && furthest >= funnel.StorefrontAddedToCart {
				p.Adds = []funnel.AddEvent{{ID: "a0", Quantity: 1, Value: int64(1000 + rng.IntN(9000))}}
			}
			v.Products[pid] = p
		}
	}
	if furthest >= funnel.StorefrontAddedToCart {
		v.CartTokens, v.Currency = []string{fmt.Sprintf("v%d-cart-%d", shop, n)}, "USD"
	}
	if furthest >= funnel.StorefrontCheckoutStarted {
		v.CheckoutTokens = []string{fmt.Sprintf("s%d-chk-%d", shop, 1+rng.IntN(sessions))}
	}
	return funnel.MergeVisits(v, funnel.Visit{})
}

// naiveStorefront counts the shop's non-bot visits in [from, to) straight
// from the visits table, grouped as the report splits them: the scan the
// rollups replace (it knows nothing of orders, so only its total
// compares).
func naiveStorefront(ctx context.Context, conn *pgx.Conn, schema string, shopID int64, from, to time.Time) (int64, error) {
	var n int64
	err := conn.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM (SELECT count(*) AS n FROM `+pgx.Identifier{schema, "visits"}.Sanitize()+`
		WHERE shop_id = $1 AND started_at >= $2 AND started_at < $3 AND NOT bot GROUP BY furthest_stage, device, landing_page_type) g`,
		shopID, from, to).Scan(&n)
	return n, err
}
