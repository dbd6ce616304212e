package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/bench/loadgen"
)

// ingest measures webhook ingestion: saturation throughput, the pgx
// ceiling on the same rows, and latency at a fixed rate.
func ingest(ctx context.Context, args []string) error {
	fs := flagSet("ingest")
	shops := fs.Int("shops", 10, "shops receiving webhooks")
	sessions := fs.Int("sessions", 20000, "most shopper journeys per phase (each is 2 to 9 webhooks)")
	conc := fs.Int("concurrency", 32, "concurrent deliveries at saturation")
	dur := fs.Duration("duration", 20*time.Second, "longest saturation phase (app, then ceiling)")
	rate := fs.Int("rate", 1000, "fixed request rate of the latency phase, per second")
	rateDur := fs.Duration("rate-duration", 15*time.Second, "length of the latency phase")
	pool := fs.Int("pool", 0, "app connection pool size (0: the store's default)")
	fixtures := fs.String("fixtures", "", "fixtures folder (default ../shared/fixtures/shopify beside the repository)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the saturation phase to this file")
	_ = fs.Parse(args)

	base, err := databaseURL()
	if err != nil {
		return err
	}
	if *fixtures == "" {
		if *fixtures, err = loadgen.FixturesDir(); err != nil {
			return err
		}
	}
	tmpl, err := loadgen.Load(*fixtures)
	if err != nil {
		return err
	}
	sch, err := newSchema(ctx, base, "")
	if err != nil {
		return err
	}
	defer sch.drop()
	ceilSch, err := newSchema(ctx, base, "")
	if err != nil {
		return err
	}
	defer ceilSch.drop()

	ra, err := startApp(ctx, sch.url, *pool)
	if err != nil {
		return err
	}
	defer ra.stop()
	domains, _, err := installShops(ctx, ra.store, *shops)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
	}}
	poster := &loadgen.Poster{BaseURL: ra.url, Secret: apiSecret, Client: client}
	logf("ingest: %d shops, schema %s, app at %s", *shops, sch.name, ra.url)

	// Phase 1: saturation, the app.
	resetPeakRSS()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	logf("saturation: %d concurrent deliveries for up to %s", *conc, *dur)
	appRes := saturate(ctx, *conc, *dur, stream(ctx, tmpl, "s-", domains, *sessions, 1), func(ctx context.Context, d loadgen.Delivery) bool {
		code, err := poster.Post(ctx, d)
		return err == nil && code == http.StatusOK
	})
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	logf("app: %d acknowledged, %d failed in %s: %.0f webhooks/s", appRes.ok, appRes.failed, appRes.elapsed.Round(time.Millisecond), appRes.perSec())

	// Phase 2: fixed rate, the app.
	logf("latency: %d requests/s for %s", *rate, *rateDur)
	lat, late, failed := fixedRate(ctx, *rate, *rateDur, stream(ctx, tmpl, "r-", domains, *sessions, 2), poster)
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	logf("app at %d/s: %d requests, %d failed, %d sent late; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
		*rate, len(lat), failed, late, ms(p50), ms(percentile(lat, 90)), ms(p99), ms(percentile(lat, 100)))
	rss := peakRSS()

	// Phase 3: the ceiling, the same rows written by a plain pgx loop.
	ceil, err := ceiling(ctx, ceilSch.url, *shops, *conc, *dur, stream(ctx, tmpl, "s-", domains, *sessions, 1))
	if err != nil {
		return err
	}
	logf("ceiling: %d transactions in %s: %.0f/s", ceil.ok, ceil.elapsed.Round(time.Millisecond), ceil.perSec())
	ratio := appRes.perSec() / ceil.perSec()
	fmt.Printf("ingest: %.0f webhooks/s, ceiling %.0f/s, ratio %.2f, p50 %.1f ms, p99 %.1f ms at %d/s, rss %.0f MB\n",
		appRes.perSec(), ceil.perSec(), ratio, ms(p50), ms(p99), *rate, rss)
	return nil
}

// stream generates interleaved journeys over the shops, at most sessions
// of them, until ctx ends; the channel closes when done. Journeys start in
// the last day and a half, as a live store's would.
func stream(ctx context.Context, tmpl *loadgen.Templates, prefix string, domains []string, sessions int, seed uint64) <-chan loadgen.Delivery {
	out := make(chan loadgen.Delivery, 256)
	go func() {
		defer close(out)
		rng := rand.New(rand.NewPCG(seed, 42))
		now := time.Now().UTC().Truncate(time.Second)
		const chunk = 200
		for first := 0; first < sessions; first += chunk {
			var journeys [][]loadgen.Delivery
			for n := first; n < min(first+chunk, sessions); n++ {
				start := now.Add(-time.Duration(rng.IntN(36*3600)) * time.Second)
				journeys = append(journeys, tmpl.Journey(prefix, domains[n%len(domains)], n, loadgen.Stop(rng), start, int64(1000+rng.IntN(20000)), rng))
			}
			for _, d := range loadgen.Interleave(journeys, chunk, rng) {
				select {
				case out <- d:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

type result struct {
	ok, failed int64
	elapsed    time.Duration
}

func (r result) perSec() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// saturate runs conc workers over the stream until it ends or dur passes.
func saturate(ctx context.Context, conc int, dur time.Duration, in <-chan loadgen.Delivery, do func(context.Context, loadgen.Delivery) bool) result {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case d, more := <-in:
					if !more {
						return
					}
					if do(context.WithoutCancel(ctx), d) {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	r := result{ok: ok.Load(), failed: failed.Load(), elapsed: time.Since(start)}
	// Drain the generator.
	go func() {
		for range in {
		}
	}()
	return r
}

// fixedRate posts the stream at rate per second for dur, open loop: each
// latency is measured from the moment the request was due, so a stall
// counts against every request it delays. late counts requests sent more
// than 5 ms after they were due.
func fixedRate(ctx context.Context, rate int, dur time.Duration, in <-chan loadgen.Delivery, p *loadgen.Poster) (lat []time.Duration, late, failed int64) {
	interval := time.Second / time.Duration(rate)
	total := int(dur / interval)
	lat = make([]time.Duration, 0, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 512)
	start := time.Now()
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		if time.Since(due) > 5*time.Millisecond {
			late++
		}
		var d loadgen.Delivery
		select {
		case d = <-in:
		case <-ctx.Done():
		}
		if d.ID == "" {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			code, err := p.Post(ctx, d)
			took := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || code != http.StatusOK {
				failed++
				return
			}
			lat = append(lat, took)
		})
	}
	wg.Wait()
	go func() {
		for range in {
		}
	}()
	return lat, late, failed
}

// ceiling writes the rows the app writes for each webhook (the delivery,
// with its payload, and the session it updates) with pgx alone: one
// transaction and one round trip per webhook, durable commit, the same
// concurrency. No HTTP, no HMAC, no JSON, no ORM.
func ceiling(ctx context.Context, dbURL string, shops, conc int, dur time.Duration, in <-chan loadgen.Delivery) (result, error) {
	// The schema and shops, as the app has them.
	ra, err := startApp(ctx, dbURL, 2)
	if err != nil {
		return result{}, err
	}
	domains, ids, err := installShops(ctx, ra.store, shops)
	ra.stop()
	if err != nil {
		return result{}, err
	}
	shopID := map[string]int64{}
	for i, d := range domains {
		shopID[d] = ids[i]
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return result{}, err
	}
	cfg.MaxConns = int32(conc)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return result{}, err
	}
	defer pool.Close()
	logf("ceiling: %d concurrent pgx transactions for up to %s", conc, dur)
	return saturate(ctx, conc, dur, in, func(ctx context.Context, d loadgen.Delivery) bool {
		now := time.Now().UTC()
		var stageCol string
		switch d.Stage {
		case funnel.StageAddedToCart:
			stageCol = "added_to_cart_at"
		case funnel.StageCheckoutStarted:
			stageCol = "checkout_started_at"
		case funnel.StageContactSubmitted:
			stageCol = "contact_submitted_at"
		case funnel.StageAddressSubmitted:
			stageCol = "address_submitted_at"
		case funnel.StagePaymentReached:
			stageCol = "payment_reached_at"
		default:
			stageCol = "completed_at"
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO deliveries (shop_id, webhook_id, event_id, topic, shop_domain, api_version, received_at, payload, ingested)
			VALUES ($1, $2, $3, $4, $5, '2026-10', $6, $7, true) ON CONFLICT (webhook_id) DO NOTHING`,
			shopID[d.Shop], d.ID, "evt-"+d.ID, d.Topic, d.Shop, now, d.Body)
		b.Queue(fmt.Sprintf(`INSERT INTO sessions (shop_id, session_key, cart_token, checkout_token, started_at, last_activity,
				furthest_stage, %[1]s, value, currency, item_count, email, sample, created_at, updated_at)
			VALUES ($1, $2, $2, $3, $4, $5, $6, $5, $7, 'USD', 1, '', $8, $9, $9)
			ON CONFLICT (shop_id, session_key) DO UPDATE SET
				checkout_token = GREATEST(sessions.checkout_token, excluded.checkout_token),
				last_activity = GREATEST(sessions.last_activity, excluded.last_activity),
				furthest_stage = GREATEST(sessions.furthest_stage, excluded.furthest_stage),
				%[1]s = LEAST(sessions.%[1]s, excluded.%[1]s),
				value = excluded.value, updated_at = excluded.updated_at`, stageCol),
			shopID[d.Shop], d.Key, d.Checkout, d.Start, d.At, int(d.Stage), d.Cents, 0, now)
		// A batch runs as one implicit transaction: one commit.
		err := pool.SendBatch(ctx, b).Close()
		return err == nil
	}), nil
}
