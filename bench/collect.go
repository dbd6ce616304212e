package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// collect measures POST /collect: saturation throughput in events/s beside
// the ceiling (the same rows written by a plain pgx loop with COPY, in
// groups), in alternating rounds, then acknowledgement latency at a fixed
// event rate, and the app's peak RSS. The app's part of a round lasts
// until its folder has folded every event it acknowledged; after each
// part its schema is vacuumed, so that the next part (the other's) is not
// charged its dead rows' cleanup, and analyzed. An untimed warm-up of
// each comes first.
func collect(ctx context.Context, args []string) error {
	fs := flagSet("collect")
	shops := fs.Int("shops", 50, "shops whose pixels post (each has its own rate limit)")
	addrs := fs.Int("addrs", 32, "loopback source addresses the clients post from (each has its own rate limit)")
	conc := fs.Int("concurrency", 32, "concurrent batches at saturation")
	rounds := fs.Int("rounds", 3, "saturation rounds, each the app then the ceiling")
	dur := fs.Duration("duration", 10*time.Second, "length of each saturation round, app and ceiling each")
	rate := fs.Int("rate", 5000, "fixed event rate of the latency phase, per second")
	rateDur := fs.Duration("rate-duration", 15*time.Second, "length of the latency phase")
	warmup := fs.Duration("warmup", 3*time.Second, "length of the untimed saturation of each, app and ceiling, before the first round")
	writers := fs.Int("writers", 4, "the ceiling's concurrent transactions")
	inProcess := fs.Bool("in-process", false, "serve the app in this process instead of as `funnelscope serve` in its own")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process during each round's app part (the app's own with -in-process)")
	_ = fs.Parse(args)

	base, err := databaseURL()
	if err != nil {
		return err
	}
	tmpl, err := loadVisitTemplate()
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
	domains, keys, err := prepareCollect(ctx, sch.url, *shops)
	if err != nil {
		return err
	}
	var appURL string
	var appPID int
	if *inProcess {
		ra, err := startApp(ctx, sch.url, 0)
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
	ceil, err := newCollectCeiling(ctx, ceilSch.url, *shops, *writers)
	if err != nil {
		return err
	}
	defer ceil.close()
	post := newCollectPoster(appURL, *addrs)
	logf("collect: %d shops from %d addresses, schema %s, app at %s (process %d); ceiling in schema %s, %d writers; %.1f events a batch on average",
		*shops, *addrs, sch.name, appURL, appPID, ceilSch.name, *writers, tmpl.meanBatch())

	done := make(chan struct{})
	defer close(done)
	count := func(do func(context.Context, collectBatch) bool) (func(context.Context, collectBatch) bool, *atomic.Int64) {
		events := &atomic.Int64{}
		return func(ctx context.Context, b collectBatch) bool {
			ok := do(ctx, b)
			if ok {
				events.Add(int64(b.events))
			}
			return ok
		}, events
	}
	resetPeakRSS(appPID)
	appIn := collectStream(done, tmpl, "a", domains, keys, 1, false)
	ceilIn := collectStream(done, tmpl, "a", domains, keys, 1, true)
	// A warm-up, untimed, then the tables' statistics: a table planned
	// while it has none is read whole by statements that later use an
	// index (the ceiling's first round was half as fast as its others).
	logf("warm-up: %d concurrent batches for %s each, app and ceiling", *conc, *warmup)
	saturate(ctx, *conc, *warmup, appIn, post.post)
	saturate(ctx, *conc, *warmup, ceilIn, ceil.write)
	if _, err := sch.folded(ctx); err != nil {
		return err
	}
	for _, s := range []*schema{sch, ceilSch} {
		if err := s.vacuum(ctx); err != nil {
			return err
		}
	}
	var appRate, ceilRate, ratios []float64
	for round := 1; round <= *rounds; round++ {
		logf("round %d: %d concurrent batches for %s, the app then the ceiling", round, *conc, *dur)
		var prof func()
		if *cpuprofile != "" {
			if prof, err = startProfile(*cpuprofile, round); err != nil {
				return err
			}
		}
		cpu0, refused0 := readCPU(appPID), post.refused.Load()
		do, events := count(post.post)
		r := saturate(ctx, *conc, *dur, appIn, do)
		// The app answers once a batch is stored, and folds it into its
		// visit afterwards: the round lasts until the last one is folded.
		lag, err := sch.folded(ctx)
		if err != nil {
			return err
		}
		if prof != nil {
			prof()
		}
		ev := float64(events.Load())
		gen, own, pg := readCPU(appPID).perItem(cpu0, int64(ev))
		appPerSec := ev / (r.elapsed + lag).Seconds()
		logf("  app: %d batches (%.0f events) acknowledged, %d failed (%d of them 429) in %s, all folded %s later: %.0f events/s; CPU per event: app %.1f µs, generator %.1f µs, postgres %.1f µs",
			r.ok, ev, r.failed, post.refused.Load()-refused0, r.elapsed.Round(time.Millisecond), lag.Round(time.Millisecond), appPerSec, own, gen, pg)
		if err := sch.vacuum(ctx); err != nil {
			return err
		}
		cpu0 = readCPU(0)
		do, events = count(ceil.write)
		c := saturate(ctx, *conc, *dur, ceilIn, do)
		cev := float64(events.Load())
		self, _, pg := readCPU(0).perItem(cpu0, int64(cev))
		ceilPerSec := cev / c.elapsed.Seconds()
		logf("  ceiling: %d batches (%.0f events), %d failed in %s: %.0f events/s; CPU per event: pgx loop and generator %.1f µs, postgres %.1f µs; %.1f batches per commit",
			c.ok, cev, c.failed, c.elapsed.Round(time.Millisecond), ceilPerSec, self, pg, ceil.meanGroup())
		if err := ceilSch.vacuum(ctx); err != nil {
			return err
		}
		appRate, ceilRate = append(appRate, appPerSec), append(ceilRate, ceilPerSec)
		ratios = append(ratios, appPerSec/ceilPerSec)
	}

	// Latency at a fixed event rate: batches at the rate that carries it.
	perSec := max(1, int(float64(*rate)/tmpl.meanBatch()+0.5))
	logf("latency: %d events/s (%d batches/s) for %s", *rate, perSec, *rateDur)
	cpu0, refused0 := readCPU(appPID), post.refused.Load()
	do, events := count(post.post)
	lat, late, failed := fixedRate(ctx, perSec, *rateDur, collectStream(done, tmpl, "r", domains, keys, 2, false), do)
	lag, err := sch.folded(ctx)
	if err != nil {
		return err
	}
	ev := events.Load()
	gen, own, pg := readCPU(appPID).perItem(cpu0, ev)
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	logf("app at %d events/s: %d batches (%d events), %d failed (%d of them 429), %d sent late; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; all folded %s after the last; CPU per event: app %.1f µs, generator %.1f µs, postgres %.1f µs",
		*rate, len(lat), ev, failed, post.refused.Load()-refused0, late, ms(p50), ms(percentile(lat, 90)), ms(p99), ms(percentile(lat, 100)), lag.Round(time.Millisecond), own, gen, pg)
	rss := peakRSS(appPID)
	if err := sch.vacuum(ctx); err != nil {
		return err
	}
	clat, late, failed := fixedRate(ctx, perSec, *rateDur, collectStream(done, tmpl, "r", domains, keys, 2, true), ceil.write)
	cp99 := percentile(clat, 99)
	logf("ceiling at %d events/s: %d batches, %d failed, %d sent late; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
		*rate, len(clat), failed, late, ms(percentile(clat, 50)), ms(percentile(clat, 90)), ms(cp99), ms(percentile(clat, 100)))

	fmt.Printf("collect: %.0f events/s, ceiling %.0f/s, ratio %.2f, p50 %.1f ms, p99 %.1f ms at %d events/s (ceiling p99 %.1f ms), rss %.0f MB\n",
		median(appRate), median(ceilRate), median(ratios), ms(p50), ms(p99), *rate, ms(cp99), rss)
	return nil
}

// prepareCollect migrates dbURL's schema, installs n shops and gives each
// its pixel key; it returns their domains and keys.
func prepareCollect(ctx context.Context, dbURL string, n int) ([]string, []string, error) {
	var domains, keys []string
	err := withShops(ctx, dbURL, n, func(st *store.Store, d []string, ids []int64) error {
		domains, keys = d, make([]string, len(ids))
		for i, id := range ids {
			k, err := st.EnsurePixelKey(ctx, id)
			if err != nil {
				return err
			}
			keys[i] = k
		}
		return nil
	})
	return domains, keys, err
}
