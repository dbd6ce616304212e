package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app"
	demohistory "github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/store"
)

// Demo mode's built-in credentials. They only ever serve 127.0.0.1.
const (
	demoAPIKey    = "funnelscope-demo-key"
	demoAPISecret = "funnelscope-demo-secret-not-for-production"
	demoShop      = "funnelscope-demo.myshopify.com"
	demoDatabase  = "sqlite:funnelscope-demo.db"
)

// demoKey encrypts the demo shop's placeholder token; demo data is not secret.
const demoKey = "funnelscope-demo-key-32-bytes!!!"

// demo runs the app with no configuration: on 127.0.0.1 only — the address is
// fixed, no setting can widen it — on SQLite, with the demo shop installed.
func demo(ctx context.Context, logger *slog.Logger, env getenv) error {
	s, err := loadSettings(env, false)
	if err != nil {
		return err
	}
	if strings.TrimSpace(env("DATABASE_URL")) == "" {
		s.databaseURL = demoDatabase
	}
	s.key = []byte(demoKey)
	s.app.APIKey, s.app.APISecret = demoAPIKey, demoAPISecret
	s.app.Demo, s.app.DemoShop = true, demoShop
	s.app.AdminOrigin = ""
	// The storefront's history arrives at /collect as its pixel sent it,
	// on the replay clock (demohistory.ReplayClock).
	replay := &demohistory.ReplayClock{}
	s.collectNow = replay.Now
	addr := "127.0.0.1:" + strconv.Itoa(s.port)
	s.app.AppURL = "http://" + addr
	return run(ctx, logger, s, addr, func(a *app.App, st *store.Store, base string) error {
		shop, err := st.InstallShop(ctx, demoShop, store.Tokens{AccessToken: "demo-token", Scope: s.app.Scopes}, nil)
		if err != nil {
			return err
		}
		// Alerts on, so the settings page lists what the demo's scans flagged;
		// with no SMTP_URL they go to the log.
		alerts := store.DefaultAlertSettings()
		alerts.Enabled, alerts.ImmediateMinValue, alerts.Digest = true, 15000, store.DigestDaily
		if err := st.SaveSettings(ctx, store.Settings{ShopID: shop.ID, Alerts: &alerts}); err != nil {
			return err
		}
		// The demo shop's pixel key, as the install's pixel activation makes
		// it: the storefront history is posted to /collect with it.
		key, err := st.EnsurePixelKey(ctx, shop.ID)
		if err != nil {
			return err
		}
		_, err = demohistory.Fill(ctx, demohistory.History{
			BaseURL: base, Shop: demoShop, APIKey: demoAPIKey, Secret: demoAPISecret,
			Seed: 1, Progress: os.Stdout, PixelKey: key, Replay: replay,
			Sessions: demohistory.DemoSessions, PixelDays: demohistory.DemoPixelDays, Changes: demohistory.DemoChanges(),
			FlagAbandoned: func(ctx context.Context) error { return a.ScanAlertsNow(ctx, demoShop) },
			Folded:        st.DrainStorefront,
			ScanAt: func(ctx context.Context, at time.Time) error {
				_, err := a.ScanAnomaliesNow(ctx, demoShop, at)
				return err
			},
		})
		if err != nil {
			return err
		}
		fmt.Printf("\nFunnelscope demo is running. Open %s/demo in your browser.\n\n", base)
		return nil
	})
}
