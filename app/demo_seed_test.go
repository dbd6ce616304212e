package app_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// demoShop is the shop of the demo harness and of the shared demo history.
const demoShop = "browser-demo.myshopify.com"

// demoNow is the clock of the demo harness: mid-afternoon, so that "today"
// holds part of a day's shoppers. A fixed instant, so that the history and
// its days, and with them every verdict the page shows, are the same on
// every run.
var demoNow = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

// demoSessions is how many shoppers the shared demo history of dialect
// holds. PostgreSQL gets enough for the report's verdicts to list steps
// below typical; the race detector slows pure-Go SQLite a lot, and 300
// shoppers are enough for a month of every stage and three sources.
func demoSessions(dialect string) int {
	if dialect == store.DialectSQLite {
		return 300
	}
	return 1500
}

// demoSeeds are the shared demo histories, one per dialect, each delivered
// once per test binary the first time a test asks for it (sharedDemo) and
// copied for every test; TestMain drops them. A memo, not state a test
// could change: a test gets a copy and writes only to it.
var demoSeeds = map[string]*storetest.Seed{
	store.DialectPostgres: storetest.NewSeed(store.DialectPostgres, func(ctx context.Context, st *store.Store) error {
		return fillDemo(ctx, st, demoSessions(store.DialectPostgres))
	}),
	store.DialectSQLite: storetest.NewSeed(store.DialectSQLite, func(ctx context.Context, st *store.Store) error {
		return fillDemo(ctx, st, demoSessions(store.DialectSQLite))
	}),
}

// demoConfig is the demo harness's configuration: demo mode for demoShop.
func demoConfig(c *app.Config) { c.Demo, c.DemoShop = true, demoShop }

// demoHistory is the demo history the harness delivers to the app at
// baseURL: sessions shoppers over 90 days before demoNow, seed 42.
func demoHistory(baseURL string, sessions int, a *app.App) demo.History {
	return demo.History{
		BaseURL: baseURL, Shop: demoShop, APIKey: testAPIKey, Secret: testSecret,
		Now: func() time.Time { return demoNow }, Seed: 42, Sessions: sessions, Days: 90,
		FlagAbandoned: func(ctx context.Context) error { return a.ScanAlertsNow(ctx, demoShop) },
	}
}

// sharedDemo starts the app in demo mode on a copy of the shared demo
// history of dialect (demoSessions shoppers) and returns it with the demo
// shop, the clock at demoNow. The test may write to its copy. (It replaces
// demoHarness(t, st, sessions), which delivered a history per test.)
func sharedDemo(t *testing.T, dialect string) (*harness, string) {
	t.Helper()
	h := newHarness(t, demoSeeds[dialect].Open(t), demoConfig)
	h.clock.Set(demoNow)
	return h, demoShop
}

// forEachDemo runs fn, in parallel subtests, on a harness of each
// dialect's shared demo history (sharedDemo).
func forEachDemo(t *testing.T, fn func(t *testing.T, h *harness, shop string)) {
	t.Helper()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			h, shop := sharedDemo(t, d)
			fn(t, h, shop)
		})
	}
}

// fillDemo installs demoShop in st and delivers it the demo history of
// sessions shoppers through POST /webhooks of the app started in demo mode
// on st; then it stops the app.
func fillDemo(ctx context.Context, st *store.Store, sessions int) (err error) {
	// A bound, not a speed: beside the other tests of a busy machine, the
	// race detector's SQLite takes minutes for what is seconds without it.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	clock := testkit.NewClock(demoNow)
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	a, srv, err := startApp(jobs, st, clock, io.Discard, "http://127.0.0.1:9", demoConfig)
	if err != nil {
		return err
	}
	defer func() {
		srv.Close()
		if serr := a.Stop(ctx); err == nil && serr != nil {
			err = fmt.Errorf("stopping the app: %w", serr)
		}
	}()
	if _, err := storetest.InstallShop(ctx, st, demoShop); err != nil {
		return err
	}
	n, err := demo.Fill(ctx, demoHistory(srv.URL, sessions, a))
	if err != nil {
		return fmt.Errorf("demo data after %d webhooks: %w", n, err)
	}
	if n < sessions {
		return fmt.Errorf("demo data: %d webhooks for %d shoppers", n, sessions)
	}
	return nil
}
