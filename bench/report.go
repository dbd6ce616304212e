package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/bench/loadgen"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// report measures /api/funnel over a large shop among others as large,
// against a naive GROUP BY over the sessions table for the same answer,
// then the report's HTML (timeReportHTML) beside a ceiling.
func report(ctx context.Context, args []string) error {
	fs := flagSet("report")
	shops := fs.Int("shops", 10, "shops in the table, each with -sessions sessions")
	sessions := fs.Int("sessions", 1000000, "sessions per shop")
	visits := fs.Int("visits", 1000000, "storefront visits per shop (0: none, the report without its storefront block)")
	days := fs.Int("days", 90, "days the sessions span, ending now; the report covers them all")
	requests := fs.Int("requests", 300, "timed /api/funnel requests")
	htmlRounds := fs.Int("html", 100, "timed rounds of the report's HTML: GET /, GET /api/view/report and the ceiling GET /readyz")
	naiveRuns := fs.Int("naive", 5, "timed runs of the naive GROUP BY")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the app's process over the CPU phase of the report's HTML to this file")
	keep := fs.String("schema", "", "reuse (or create and keep) this schema instead of a fresh one dropped at the end")
	_ = fs.Parse(args)

	base, err := databaseURL()
	if err != nil {
		return err
	}
	sch, err := newSchema(ctx, base, *keep)
	if err != nil {
		return err
	}
	if *keep == "" {
		defer sch.drop()
	} else {
		defer func() { _ = sch.admin.Close(context.Background()) }()
	}
	// The app's connections carry a name of their own, so that their
	// PostgreSQL processes' CPU can be told from anybody else's.
	ra, err := startApp(ctx, withAppName(sch.url, reportAppName), 0)
	if err != nil {
		return err
	}
	defer ra.stop()
	domains, ids, err := installShops(ctx, ra.store, *shops)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	var have int64
	if err := sch.admin.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{sch.name, "sessions"}.Sanitize()).Scan(&have); err != nil {
		return err
	}
	if want := int64(*shops) * int64(*sessions); have != want {
		if have != 0 {
			return fmt.Errorf("schema %s holds %d sessions, not %d: use another", sch.name, have, want)
		}
		if err := load(ctx, sch, ra.store, ids, *sessions, *days, now); err != nil {
			return err
		}
	} else {
		logf("reusing the %d sessions of schema %s", have, sch.name)
	}
	if err := sch.admin.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{sch.name, "visits"}.Sanitize()).Scan(&have); err != nil {
		return err
	}
	if want := int64(*shops) * int64(*visits); have != want {
		if have != 0 {
			return fmt.Errorf("schema %s holds %d visits, not %d: use another", sch.name, have, want)
		}
		if err := loadVisits(ctx, sch, ra.store, ids, *visits, *sessions, *days, now); err != nil {
			return err
		}
	} else if have > 0 {
		logf("reusing the %d visits of schema %s", have, sch.name)
	}

	// The API, as the embedded page calls it.
	shop := domains[0]
	from := now.AddDate(0, 0, -*days+1).Format("2006-01-02")
	to := now.Format("2006-01-02")
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) ([]byte, time.Duration, error) {
		tok, err := shopify.MintSessionToken(apiKey, apiSecret, shop, "42", time.Now(), time.Minute)
		if err != nil {
			return nil, 0, err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ra.url+path+"?from="+from+"&to="+to, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, 0, err
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, 0, fmt.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		return body, took, nil
	}
	call := func() (funnelJSON, time.Duration, error) {
		body, took, err := get("/api/funnel")
		if err != nil {
			return funnelJSON{}, 0, err
		}
		var r funnelJSON
		err = json.Unmarshal(body, &r)
		return r, took, err
	}
	for range 5 { // warm the caches and the connection
		if _, _, err := call(); err != nil {
			return err
		}
	}
	// The bulk load is the bench's, not the app's: its garbage goes back
	// to the system before the app's peak is measured.
	debug.FreeOSMemory()
	resetPeakRSS(0)
	var lat []time.Duration
	var got funnelJSON
	deadline := time.Now().Add(5 * time.Minute)
	for i := 0; i < *requests && time.Now().Before(deadline); i++ {
		r, took, err := call()
		if err != nil {
			return err
		}
		got, lat = r, append(lat, took)
	}
	rss := peakRSS(0)
	asOf := time.Now().UTC() // statuses as the last request saw them
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	logf("/api/funnel over %d sessions (%s to %s): %d requests, p50 %.1f ms, p99 %.1f ms", *sessions, from, to, len(lat), ms(p50), ms(p99))

	// The daily trend the page draws beside the report, over the same days.
	var trend []time.Duration
	var trendCarts int64
	for i := 0; i < *requests/3 && time.Now().Before(deadline.Add(time.Minute)); i++ {
		body, took, err := get("/api/trend")
		if err != nil {
			return err
		}
		trend = append(trend, took)
		var tr struct{ Days []struct{ Sessions []int64 } }
		if err := json.Unmarshal(body, &tr); err != nil {
			return err
		}
		trendCarts = 0
		for _, d := range tr.Days {
			trendCarts += d.Sessions[0]
		}
	}
	logf("/api/trend over the same days: %d requests, p50 %.1f ms, p99 %.1f ms", len(trend), ms(percentile(trend, 50)), ms(percentile(trend, 99)))

	// The report's HTML over the same days, beside the ceiling.
	html, err := timeReportHTML(ctx, sch.admin, ra.url, shop, from, to, *htmlRounds, deadline.Add(2*time.Minute), *cpuProfile)
	if err != nil {
		return err
	}
	pagePct := func(d []time.Duration) string {
		return fmt.Sprintf("p50 %.1f ms, p95 %.1f ms", ms(percentile(d, 50)), ms(percentile(d, 95)))
	}
	logf("report HTML over the same days, %d rounds: GET / %s; GET /api/view/report %s; ceiling GET /readyz %s",
		len(html.page), pagePct(html.page), pagePct(html.view), pagePct(html.ceiling))
	if html.pages > 0 {
		logf("CPU per GET / over %d more requests: this process (app and client) %.1f ms, the app's PostgreSQL processes %.1f ms",
			html.pages, ms(html.appCPU), ms(html.pgCPU))
	}

	// The naive answer: one GROUP BY over the shop's sessions for the
	// counts, statuses and sums, and exact medians with percentile_cont.
	var naive []time.Duration
	var want naiveAnswer
	for range *naiveRuns {
		start := time.Now()
		want, err = naiveReport(ctx, sch.admin, sch.name, ids[0], from, to, asOf, time.Hour)
		if err != nil {
			return err
		}
		naive = append(naive, time.Since(start))
	}
	np50 := percentile(naive, 50)
	logf("naive GROUP BY: %d runs, p50 %.1f ms", len(naive), ms(np50))
	storefront := "no storefront"
	if *visits > 0 {
		var naiveVisits []time.Duration
		var total int64
		dayFrom, _ := time.Parse("2006-01-02", from)
		dayTo, _ := time.Parse("2006-01-02", to)
		for range *naiveRuns {
			start := time.Now()
			if total, err = naiveStorefront(ctx, sch.admin, sch.name, ids[0], dayFrom, dayTo.AddDate(0, 0, 1)); err != nil {
				return err
			}
			naiveVisits = append(naiveVisits, time.Since(start))
		}
		vp50 := percentile(naiveVisits, 50)
		switch {
		case got.Storefront == nil:
			logf("MISMATCH: the report has no storefront block")
		case got.Storefront.Visits != total:
			logf("MISMATCH: the storefront block counts %d visits, the visits table %d", got.Storefront.Visits, total)
		default:
			logf("the storefront block's %d visits (%d products) are the visits table's; naive GROUP BY over the visits p50 %.1f ms",
				total, len(got.Storefront.Products), ms(vp50))
		}
		// The block's own read, as /api/funnel calls it, apart from the
		// rest of the report.
		var block []time.Duration
		for range *naiveRuns * 10 {
			start := time.Now()
			if _, err := ra.store.StorefrontTallies(ctx, ids[0], funnel.NewDayRange(dayFrom, dayTo, time.UTC), ""); err != nil {
				return err
			}
			block = append(block, time.Since(start))
		}
		logf("store.StorefrontTallies over the days: %d runs, p50 %.1f ms, p99 %.1f ms", len(block), ms(percentile(block, 50)), ms(percentile(block, 99)))
		storefront = fmt.Sprintf("storefront block over %d visits: StorefrontTallies p50 %.1f ms, p99 %.1f ms, naive visits GROUP BY p50 %.0f ms",
			*visits, ms(percentile(block, 50)), ms(percentile(block, 99)), ms(vp50))
	}
	compare(got, want)
	if trendCarts != want.reached[1] {
		logf("MISMATCH: the trend's days hold %d carts, the naive GROUP BY %d", trendCarts, want.reached[1])
	} else {
		logf("the trend's days add up to the naive GROUP BY's carts")
	}
	fmt.Printf("report: p50 %.1f ms, p99 %.1f ms over %d sessions (%d shops in the table; %s), naive GROUP BY p50 %.0f ms, ratio %.0fx, rss %.0f MB; "+
		"HTML page p50 %.1f ms, p95 %.1f ms (CPU %.1f ms app, %.1f ms postgres), view p50 %.1f ms, p95 %.1f ms, ceiling p50 %.1f ms, p95 %.1f ms\n",
		ms(p50), ms(p99), *sessions, *shops, storefront, ms(np50), float64(np50)/float64(p50), rss,
		ms(percentile(html.page, 50)), ms(percentile(html.page, 95)), ms(html.appCPU), ms(html.pgCPU), ms(percentile(html.view, 50)), ms(percentile(html.view, 95)),
		ms(percentile(html.ceiling, 50)), ms(percentile(html.ceiling, 95)))
	return nil
}

type funnelJSON struct {
	Stages []struct {
		Key      string   `json:"key"`
		Sessions int64    `json:"sessions"`
		Median   *float64 `json:"median_seconds_from_previous"`
	} `json:"stages"`
	AbandonedCarts   int64           `json:"abandoned_carts"`
	Storefront       *storefrontJSON `json:"storefront"`
	CheckoutDropoffs int64           `json:"checkout_dropoffs"`
	PaymentDropoffs  int64           `json:"payment_dropoffs"`
	ValueAtRisk      string          `json:"value_at_risk"`
	RecoveredValue   string          `json:"recovered_value"`
}

type naiveAnswer struct {
	reached                 [funnel.StageCompleted + 1]int64
	medians                 [funnel.StageCompleted + 1]*float64
	abandoned, checkout, pd int64
	risk, recovered         int64
}

// naiveReport computes the report straight from the sessions table.
func naiveReport(ctx context.Context, conn *pgx.Conn, schema string, shopID int64, from, to string, now time.Time, idle time.Duration) (naiveAnswer, error) {
	var a naiveAnswer
	tbl := pgx.Identifier{schema, "sessions"}.Sanitize()
	rows, err := conn.Query(ctx, `SELECT furthest_stage,
			CASE WHEN completed_at IS NOT NULL THEN CASE WHEN abandoned_at IS NOT NULL THEN 'recovered' ELSE 'completed' END
			     WHEN last_activity > $4 THEN 'active' WHEN last_activity > $5 THEN 'risk' ELSE 'idle' END,
			count(*), coalesce(sum(value), 0)
		FROM `+tbl+` WHERE shop_id = $1 AND started_at >= $2::date AND started_at < $3::date + 1
		GROUP BY 1, 2`, shopID, from, to, now.Add(-idle), funnel.RecoverableSince(now, idle))
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var stage int
		var status string
		var n, v int64
		if err := rows.Scan(&stage, &status, &n, &v); err != nil {
			rows.Close()
			return a, err
		}
		for st := 1; st <= stage; st++ {
			a.reached[st] += n
		}
		idle := status == "idle" || status == "risk"
		switch {
		case status == "recovered":
			a.recovered += v
		case idle && stage == 1:
			a.abandoned += n
		case idle && stage >= 2 && stage <= 4:
			a.checkout += n
		case idle && stage == 5:
			a.pd += n
		}
		if status == "risk" && stage >= 1 && stage <= 5 {
			a.risk += v
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	gap := func(a, b string) string {
		return fmt.Sprintf("percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(extract(epoch FROM %s - %s), 0)) FILTER (WHERE %[1]s IS NOT NULL AND %[2]s IS NOT NULL)", b, a)
	}
	var m [5]*float64
	err = conn.QueryRow(ctx, `SELECT `+gap("added_to_cart_at", "checkout_started_at")+`, `+gap("checkout_started_at", "contact_submitted_at")+`, `+
		gap("contact_submitted_at", "address_submitted_at")+`, `+gap("address_submitted_at", "payment_reached_at")+`, `+
		gap("payment_reached_at", "completed_at")+`
		FROM `+tbl+` WHERE shop_id = $1 AND started_at >= $2::date AND started_at < $3::date + 1`, shopID, from, to).
		Scan(&m[0], &m[1], &m[2], &m[3], &m[4])
	for i := range m {
		a.medians[i+2] = m[i]
	}
	return a, err
}

// compare prints how the API's answer differs from the naive one: counts
// must be equal; medians are estimates beyond store.ExactGapLimit.
func compare(got funnelJSON, want naiveAnswer) {
	ok := len(got.Stages) == 6
	for i := 0; ok && i < 6; i++ {
		ok = got.Stages[i].Sessions == want.reached[i+1]
	}
	ok = ok && got.AbandonedCarts == want.abandoned && got.CheckoutDropoffs == want.checkout && got.PaymentDropoffs == want.pd &&
		got.ValueAtRisk == funnel.FormatMoney(want.risk) && got.RecoveredValue == funnel.FormatMoney(want.recovered)
	if !ok {
		logf("MISMATCH: API %+v, naive %+v", got, want)
	} else {
		logf("API counts, drop-offs and values equal the naive GROUP BY")
	}
	worst := 0.0
	for i := 1; i < len(got.Stages) && i < 6; i++ {
		g, w := got.Stages[i].Median, want.medians[i+1]
		if g == nil || w == nil || *w == 0 {
			continue
		}
		worst = math.Max(worst, math.Abs(*g-*w) / *w)
		logf("median %s: API %.1f s, exact %.1f s", got.Stages[i].Key, *g, *w)
	}
	logf("largest relative median error: %.2f%%", worst*100)
}

// load bulk-loads sessions of every shop with COPY, as many journeys would
// leave them, then rebuilds the rollups and vacuums.
func load(ctx context.Context, sch *schema, st *store.Store, ids []int64, perShop, days int, now time.Time) error {
	logf("loading %d sessions for each of %d shops into %s", perShop, len(ids), sch.name)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	sem := make(chan struct{}, 2)
	for i, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			conn, err := pgx.Connect(ctx, sch.url)
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = conn.Close(context.Background()) }()
			rng := rand.New(rand.NewPCG(uint64(id), 7))
			n := 0
			_, err = conn.CopyFrom(ctx, pgx.Identifier{"sessions"}, sessionCols, pgx.CopyFromFunc(func() ([]any, error) {
				if n == perShop {
					return nil, nil
				}
				n++
				return sessionValues(rng, id, i, n, days, now), nil
			}))
			if err != nil {
				errs <- err
				return
			}
			errs <- st.RebuildRollups(ctx, id)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	logf("loaded in %s; vacuum analyze", time.Since(start).Round(time.Second))
	if _, err := sch.admin.Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{sch.name, "sessions"}.Sanitize()); err != nil {
		return err
	}
	if _, err := sch.admin.Exec(ctx, "VACUUM ANALYZE "+pgx.Identifier{sch.name, "session_rollups"}.Sanitize()); err != nil {
		return err
	}
	logf("ready after %s", time.Since(start).Round(time.Second))
	return nil
}

var sessionCols = []string{"shop_id", "session_key", "cart_token", "checkout_token", "started_at", "last_activity", "furthest_stage",
	"added_to_cart_at", "checkout_started_at", "contact_submitted_at", "address_submitted_at", "payment_reached_at", "completed_at",
	"value", "currency", "item_count", "email", "country", "source_name", "abandoned_at", "sample", "created_at", "updated_at"}

// sessionValues is one session as the ingest would have stored it: a
// shopper who got as far as loadgen's mix says, with gaps between steps of
// seconds to an hour, flagged abandoned when idle as the app's scan would
// have flagged it (and so recovered when some of them order later), started
// uniformly over the days.
func sessionValues(rng *rand.Rand, shopID int64, shop, n, days int, now time.Time) []any {
	key := fmt.Sprintf("s%d-cart-%d", shop, n)
	start := now.Add(-time.Duration(rng.Int64N(int64(days) * int64(24*time.Hour)))).Truncate(time.Second)
	stop := int(loadgen.Stop(rng))
	gap := func() time.Duration { return time.Duration(5+rng.ExpFloat64()*120) * time.Second }
	var times [7]*time.Time
	t := start
	times[1] = &start
	express := stop == 6 && rng.IntN(4) == 0
	for st := 2; st <= stop; st++ {
		t = t.Add(gap())
		if express && st < 6 {
			continue
		}
		tt := t
		times[st] = &tt
	}
	last := t.Add(time.Duration(rng.IntN(60)) * time.Second)
	var abandoned *time.Time
	if flagged := last.Add(time.Hour); stop < 6 && flagged.Before(now) {
		abandoned = &flagged
	} else if stop == 6 && rng.IntN(20) == 0 {
		f := times[1].Add(time.Minute)
		abandoned = &f
	}
	checkout, email, country, source := "", "", "", ""
	if stop >= 2 {
		checkout = fmt.Sprintf("s%d-chk-%d", shop, n)
		source = "web"
	}
	if stop >= 3 {
		email = fmt.Sprintf("shopper%d@example.com", n)
	}
	if stop >= 4 {
		country = "CA"
	}
	return []any{shopID, key, key, checkout, start, last, stop,
		times[1], times[2], times[3], times[4], times[5], times[6],
		int64(1000 + rng.IntN(30000)), "USD", 1 + rng.IntN(4), email, country, source, abandoned, store.SampleOf(key), now, now}
}
