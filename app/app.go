// Package app is Funnelscope's HTTP application: routes, handlers,
// middleware, page rendering and the background jobs that serve them.
package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/static"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/templates"
)

// Options carries what tests and demo mode inject; zero values mean the real thing.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// CollectNow is the clock POST /collect takes a batch's arrival from:
	// the window of event times it counts and its rate limits (default
	// Now). Demo mode replays its storefront history through it, each
	// batch arriving when the shopper's pixel sent it (demo.ReplayClock).
	CollectNow func() time.Time
	Random     io.Reader
	// HTTPClient makes the calls to Shopify.
	HTTPClient *http.Client
	// JobPollInterval is how often idle job workers look for work.
	JobPollInterval time.Duration
	// ManualScans leaves out the periodic abandonment scan: tests run it
	// themselves, when their deliveries are all in.
	ManualScans bool
}

// App is the application: configuration, its stores and clients, and the
// echo instance that serves them. Handlers are methods on App.
type App struct {
	cfg     Config
	store   *store.Store
	shopify *shopify.Client
	tokens  shopify.SessionTokenVerifier
	log     *slog.Logger
	now     func() time.Time
	// collectNow is Options.CollectNow.
	collectNow func() time.Time
	random     io.Reader
	pages      *template.Template
	assets     *static.Assets
	jobs       *river.Client[*sql.Tx]
	alerts     *alerts.Service
	metrics    *metrics
	shops      *installedShops
	pixelShops *pixelShops
	commits    *groupCommit
	collects   *collectCommit
	folder     *storefrontFolder
	limits     *collectLimits
	registry   *prometheus.Registry
	echo       *echo.Echo
}

// New builds the application on an opened, migrated store.
func New(cfg Config, st *store.Store, opts Options) (*App, error) {
	a := &App{
		cfg:    cfg,
		store:  st,
		log:    opts.Logger,
		now:    opts.Now,
		random: opts.Random,
	}
	if a.log == nil {
		a.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.collectNow = opts.CollectNow
	if a.collectNow == nil {
		a.collectNow = a.now
	}
	if a.random == nil {
		a.random = rand.Reader
	}
	httpClient := opts.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 20 * time.Second}
	}
	a.shopify = &shopify.Client{
		APIKey:      cfg.APIKey,
		Secret:      cfg.APISecret,
		APIVersion:  cfg.APIVersion,
		HTTP:        httpClient,
		AdminOrigin: cfg.AdminOrigin,
		Now:         a.now,
		Logger:      a.log,
	}
	a.tokens = shopify.SessionTokenVerifier{APIKey: cfg.APIKey, Secret: cfg.APISecret, Now: a.now}

	assets, err := static.Load()
	if err != nil {
		return nil, fmt.Errorf("app: loading static files: %w", err)
	}
	a.assets = assets
	pages, err := templates.Parse(a.assets.URL)
	if err != nil {
		return nil, fmt.Errorf("app: parsing templates: %w", err)
	}
	a.pages = pages
	a.registry = prometheus.NewRegistry()
	a.metrics = newMetrics(a.registry)
	a.registry.MustRegister(newInboxCollector(st, a.now))
	a.shops = newInstalledShops(st, a.now)
	a.pixelShops = newPixelShops(st, a.now)
	a.commits = newGroupCommit(st, a.shops, a.log, a.metrics.commitBatch)
	a.folder = newStorefrontFolder(st, a.log, a.metrics.observeFold)
	a.collects = newCollectCommit(st, a.log, a.folder.poke)
	a.limits = newCollectLimits(a.collectNow)

	if a.jobs, err = a.newJobClient(opts); err != nil {
		return nil, err
	}
	a.echo = a.routes()
	return a, nil
}

// Handler is the application's HTTP handler. It answers HEAD wherever
// GET answers (headAsGet).
func (a *App) Handler() http.Handler { return headAsGet(a.echo) }

// Start starts the background job workers and the storefront folder.
func (a *App) Start(ctx context.Context) error {
	a.folder.start()
	if err := a.jobs.Start(ctx); err != nil {
		return fmt.Errorf("app: starting jobs: %w", err)
	}
	return nil
}

// Stop drains the webhook and storefront group commits, then stops the
// storefront folder (what it has not folded waits in the store) and the job workers,
// letting running jobs finish until ctx ends. From the moment it is called
// a funnel delivery is answered 503 and not committed; the deliveries
// already waiting or committing are committed and answered, or, once ctx
// ends, answered 503 without a commit (groupCommit.stop). Call it after the
// HTTP server has stopped taking requests, and before the store closes.
func (a *App) Stop(ctx context.Context) error {
	commitErr := errors.Join(a.commits.stop(ctx), a.collects.stop(ctx), a.folder.stop(ctx))
	if err := a.jobs.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return errors.Join(commitErr, fmt.Errorf("app: stopping jobs: %w", err))
	}
	return commitErr
}
