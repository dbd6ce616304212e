package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/bench/loadgen"
	"github.com/funnelscope/funnelscope/store"
)

// ingest measures webhook ingestion: saturation throughput beside the
// pgx ceiling on the same rows, in alternating rounds so that both see the
// machine in the same state, then latency at a fixed rate.
func ingest(ctx context.Context, args []string) error {
	fs := flagSet("ingest")
	shops := fs.Int("shops", 10, "shops receiving webhooks")
	sessions := fs.Int("sessions", 100000, "most shopper journeys per stream (each is 2 to 9 webhooks)")
	conc := fs.Int("concurrency", 32, "concurrent deliveries at saturation")
	rounds := fs.Int("rounds", 3, "saturation rounds, each the app then the ceiling")
	dur := fs.Duration("duration", 10*time.Second, "length of each saturation round, app and ceiling each")
	rate := fs.Int("rate", 1000, "fixed request rate of the latency phase, per second")
	rateDur := fs.Duration("rate-duration", 15*time.Second, "length of the latency phase")
	pool := fs.Int("pool", 0, "app connection pool size, in-process only (0: the store's default)")
	inProcess := fs.Bool("in-process", false, "serve the app in this process instead of as `funnelscope serve` in its own")
	fixtures := fs.String("fixtures", "", "fixtures folder (default the repository's testdata/shopify)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process during each round's app part (the app's own with -in-process)")
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

	domains, _, err := prepareSchema(ctx, sch.url, *shops)
	if err != nil {
		return err
	}
	// The app: its URL and its process (0 when it is this one).
	var appURL string
	var appPID int
	if *inProcess {
		ra, err := startApp(ctx, sch.url, *pool)
		if err != nil {
			return err
		}
		defer ra.stop()
		appURL = ra.url
	} else {
		bin, err := startBinary(ctx, sch.url)
		if err != nil {
			return err
		}
		defer bin.stop()
		appURL, appPID = bin.url, bin.pid()
	}
	ceil, err := newCeiling(ctx, ceilSch.url, *shops, *conc)
	if err != nil {
		return err
	}
	defer ceil.close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
	}}
	poster := &loadgen.Poster{BaseURL: appURL, Secret: apiSecret, Client: client}
	post := func(ctx context.Context, d loadgen.Delivery) bool {
		code, err := poster.Post(ctx, d)
		return err == nil && code == http.StatusOK
	}
	logf("ingest: %d shops, schema %s, app at %s (process %d); ceiling in schema %s", *shops, sch.name, appURL, appPID, ceilSch.name)

	// Phase 1: saturation, the app and the ceiling (the same deliveries'
	// rows written by a plain pgx loop) in turn.
	resetPeakRSS(appPID)
	appIn, ceilIn := stream(ctx, tmpl, "s-", domains, *sessions, 1), stream(ctx, tmpl, "s-", domains, *sessions, 1)
	defer drain(appIn)
	defer drain(ceilIn)
	var appRate, ceilRate, ratios []float64
	for round := 1; round <= *rounds; round++ {
		logf("round %d: %d concurrent deliveries for %s, the app then the ceiling", round, *conc, *dur)
		var prof func()
		if *cpuprofile != "" {
			if prof, err = startProfile(*cpuprofile, round); err != nil {
				return err
			}
		}
		cpu0, batches0 := readCPU(appPID), commitStats(appURL)
		app := saturate(ctx, *conc, *dur, appIn, post)
		gen, own, pg := readCPU(appPID).perItem(cpu0, app.ok)
		if prof != nil {
			prof()
		}
		cpu := fmt.Sprintf("app %.0f µs, generator %.0f µs", own, gen)
		if appPID == 0 {
			cpu = fmt.Sprintf("app and generator %.0f µs", gen)
		}
		logf("  app: %d acknowledged, %d failed in %s: %.0f webhooks/s; CPU per webhook: %s, postgres %.0f µs; %.1f webhooks per commit",
			app.ok, app.failed, app.elapsed.Round(time.Millisecond), app.perSec(), cpu, pg, commitStats(appURL).meanSince(batches0))
		cpu0 = readCPU(0)
		c := saturate(ctx, *conc, *dur, ceilIn, ceil.write)
		self, _, pg := readCPU(0).perItem(cpu0, c.ok)
		logf("  ceiling: %d transactions, %d failed in %s: %.0f/s; CPU per webhook: pgx loop and generator %.0f µs, postgres %.0f µs",
			c.ok, c.failed, c.elapsed.Round(time.Millisecond), c.perSec(), self, pg)
		appRate, ceilRate = append(appRate, app.perSec()), append(ceilRate, c.perSec())
		ratios = append(ratios, app.perSec()/c.perSec())
	}

	// Phase 2: fixed rate, the app, then the ceiling for comparison.
	logf("latency: %d requests/s for %s", *rate, *rateDur)
	cpu0, batches0 := readCPU(appPID), commitStats(appURL)
	lat, late, failed := fixedRate(ctx, *rate, *rateDur, stream(ctx, tmpl, "r-", domains, *sessions, 2), post)
	gen, own, pg := readCPU(appPID).perItem(cpu0, int64(len(lat)))
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	logf("app at %d/s: %d requests, %d failed, %d sent late; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; CPU per webhook: app %.0f µs, generator %.0f µs, postgres %.0f µs; %.1f webhooks per commit",
		*rate, len(lat), failed, late, ms(p50), ms(percentile(lat, 90)), ms(p99), ms(percentile(lat, 100)), own, gen, pg, commitStats(appURL).meanSince(batches0))
	rss := peakRSS(appPID)
	cpu0 = readCPU(0)
	clat, late, failed := fixedRate(ctx, *rate, *rateDur, stream(ctx, tmpl, "r-", domains, *sessions, 2), ceil.write)
	self, _, pg := readCPU(0).perItem(cpu0, int64(len(clat)))
	cp99 := percentile(clat, 99)
	logf("ceiling at %d/s: %d transactions, %d failed, %d sent late; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; CPU per webhook: pgx loop and generator %.0f µs, postgres %.0f µs",
		*rate, len(clat), failed, late, ms(percentile(clat, 50)), ms(percentile(clat, 90)), ms(cp99), ms(percentile(clat, 100)), self, pg)

	fmt.Printf("ingest: %.0f webhooks/s, ceiling %.0f/s, ratio %.2f, p50 %.1f ms, p99 %.1f ms at %d/s (ceiling p99 %.1f ms), rss %.0f MB\n",
		median(appRate), median(ceilRate), median(ratios), ms(p50), ms(p99), *rate, ms(cp99), rss)
	return nil
}

// startProfile starts a CPU profile of one round, written to path with the
// round's number before its extension; the returned func stops it.
func startProfile(path string, round int) (func(), error) {
	ext := filepath.Ext(path)
	return startCPUProfile(fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), round, ext))
}

// startCPUProfile starts a CPU profile of this process written to path;
// the returned func stops it.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		// The profile is written by now; a failed close may have lost its end.
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "bench: writing CPU profile:", err)
		}
	}, nil
}

// median is the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// drain reads what is left of a stream, so that its generator ends.
func drain[T any](in <-chan T) {
	go func() {
		for range in {
		}
	}()
}

// stream generates interleaved journeys over the shops, 200 shoppers at a
// time and at most sessions of them, until ctx ends; the channel closes
// when done. Journeys start in the last half hour, as a live store's
// would: none is idle past the hour after which the app's abandonment scan
// flags it, as none would be on arrival. Each journey is made when a
// shopper's place opens, so generating costs the same at every moment of a
// measurement.
func stream(ctx context.Context, tmpl *loadgen.Templates, prefix string, domains []string, sessions int, seed uint64) <-chan loadgen.Delivery {
	out := make(chan loadgen.Delivery, 256)
	go func() {
		defer close(out)
		rng := rand.New(rand.NewPCG(seed, 42))
		crowd := loadgen.Mix(prefix, time.Now().UTC().Truncate(time.Second), 30*time.Minute, seed).Crowd()
		n := 0
		loadgen.InterleaveFunc(200, rng, func() ([]loadgen.Delivery, bool) {
			if n == sessions {
				return nil, false
			}
			j := tmpl.Journey(domains[n%len(domains)], crowd.Next())
			n++
			return j, true
		}, func(d loadgen.Delivery) bool {
			select {
			case out <- d:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return out
}

type result struct {
	ok, failed int64
	elapsed    time.Duration
}

func (r result) perSec() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// saturate runs conc workers over the stream until it ends or dur passes;
// what is left of the stream is left for the next call.
func saturate[T any](ctx context.Context, conc int, dur time.Duration, in <-chan T, do func(context.Context, T) bool) result {
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
	return result{ok: ok.Load(), failed: failed.Load(), elapsed: time.Since(start)}
}

// fixedRate hands the stream to do at rate per second for dur, open loop: each
// latency is measured from the moment the request was due, so a stall
// counts against every request it delays. late counts requests sent more
// than 5 ms after they were due.
func fixedRate[T any](ctx context.Context, rate int, dur time.Duration, in <-chan T, do func(context.Context, T) bool) (lat []time.Duration, late, failed int64) {
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
		var d T
		more := false
		select {
		case d, more = <-in:
		case <-ctx.Done():
		}
		if !more {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ok := do(ctx, d)
			took := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				failed++
				return
			}
			lat = append(lat, took)
		})
	}
	wg.Wait()
	drain(in)
	return lat, late, failed
}

// ceilingWriter writes the rows the app writes for each webhook (the
// delivery, with its payload, the session it updates, its entry in the
// session's timeline and the session's quarter-hour rollup row) with pgx
// alone: one transaction and one round trip per
// webhook, durable commit. No HTTP, no HMAC, no JSON, no ORM.
type ceilingWriter struct {
	pool   *pgxpool.Pool
	shopID map[string]int64
}

// newCeiling sets up the ceiling's schema at dbURL (migrated, with the
// same shops as the app) and a pool of conc connections.
func newCeiling(ctx context.Context, dbURL string, shops, conc int) (*ceilingWriter, error) {
	domains, ids, err := prepareSchema(ctx, dbURL, shops)
	if err != nil {
		return nil, err
	}
	w := &ceilingWriter{shopID: map[string]int64{}}
	for i, d := range domains {
		w.shopID[d] = ids[i]
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(conc)
	if w.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *ceilingWriter) close() { w.pool.Close() }

// write writes one delivery's rows in one implicit transaction.
func (w *ceilingWriter) write(ctx context.Context, d loadgen.Delivery) bool {
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
		w.shopID[d.Shop], d.ID, "evt-"+d.ID, d.Topic, d.Shop, now, d.Body)
	// The session's upsert, and the delivery's entry in its timeline.
	b.Queue(fmt.Sprintf(`WITH s AS (INSERT INTO sessions (shop_id, session_key, cart_token, checkout_token, started_at, last_activity,
			furthest_stage, %[1]s, value, currency, item_count, email, sample, timeline_events, created_at, updated_at)
		VALUES ($1, $2, $2, $3, $4, $5, $6, $5, $7, 'USD', 1, '', $8, 1, $9, $9)
		ON CONFLICT (shop_id, session_key) DO UPDATE SET
			checkout_token = GREATEST(sessions.checkout_token, excluded.checkout_token),
			last_activity = GREATEST(sessions.last_activity, excluded.last_activity),
			furthest_stage = GREATEST(sessions.furthest_stage, excluded.furthest_stage),
			%[1]s = LEAST(sessions.%[1]s, excluded.%[1]s),
			timeline_events = sessions.timeline_events + 1,
			value = excluded.value, updated_at = excluded.updated_at
		RETURNING id)
		INSERT INTO session_events (shop_id, session_id, source, name, occurred_at, stage, value, currency, item_count, created_at)
		SELECT $1, s.id, 'webhook', $10, $5, $6, $7, 'USD', 1, $9 FROM s`, stageCol),
		w.shopID[d.Shop], d.Key, d.Checkout, d.Start, d.At, int(d.Stage), d.Cents, 0, now, d.Topic)
	// The quarter-hour rollup row the session counts in, as the app keeps it.
	sums := make([]any, 15) // sessions and value by furthest stage 0..6, recovered value
	for i := range sums {
		sums[i] = int64(0)
	}
	sums[d.Stage], sums[7+int(d.Stage)] = int64(1), d.Cents
	b.Queue(fmt.Sprintf(`INSERT INTO session_rollups (shop_id, quarter, currency, shard,
			sessions_0, sessions_1, sessions_2, sessions_3, sessions_4, sessions_5, sessions_6,
			value_0, value_1, value_2, value_3, value_4, value_5, value_6, recovered_value)
		VALUES ($1, $2, 'USD', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (shop_id, quarter, currency, shard) DO UPDATE
		SET sessions_%[1]d = session_rollups.sessions_%[1]d + 1, value_%[1]d = session_rollups.value_%[1]d + excluded.value_%[1]d`, int(d.Stage)),
		append([]any{w.shopID[d.Shop], d.Start.Unix() / 900, store.SampleOf(d.Key) % store.RollupShards}, sums...)...)
	// A batch runs as one implicit transaction: one commit.
	err := w.pool.SendBatch(ctx, b).Close()
	return err == nil
}
