package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/shopify"
)

// newJobClient builds the River client over the store's database, with every
// worker and periodic job of the application.
func (a *App) newJobClient(opts Options) (*river.Client[*sql.Tx], error) {
	var flow alerts.FlowSender
	if !a.cfg.Demo {
		// The demo's shop has no token Shopify accepts: its Flow alerts go
		// to the log.
		flow = flowSender{app: a}
	}
	svc, err := alerts.New(alerts.Config{
		Flow:        flow,
		Store:       a.store,
		Log:         a.log,
		Now:         a.now,
		AppURL:      a.cfg.AppURL,
		APIKey:      a.cfg.APIKey,
		DefaultIdle: a.cfg.AbandonAfter,
		SMTPURL:     a.cfg.SMTPURL,
		From:        a.cfg.AlertFrom,
		Demo:        a.cfg.Demo,
	})
	if err != nil {
		return nil, fmt.Errorf("app: alerts: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &registerWebhooksWorker{app: a})
	river.AddWorker(workers, &activatePixelWorker{app: a})
	river.AddWorker(workers, &purgePayloadsWorker{app: a})
	river.AddWorker(workers, &purgeStorefrontWorker{app: a})
	river.AddWorker(workers, &eraseCustomerWorker{app: a})
	river.AddWorker(workers, &dataRequestWorker{app: a})
	svc.AddWorkers(workers)

	cfg := &river.Config{
		Logger:  a.log,
		Workers: workers,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 8}},
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return PurgePayloadsArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeStorefrontArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		},
	}
	if !opts.ManualScans {
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, svc.PeriodicJobs()...)
	}
	if poll := opts.JobPollInterval; poll > 0 {
		cfg.FetchPollInterval = poll
		cfg.FetchCooldown = min(poll, 100*time.Millisecond)
	}
	client, err := river.NewClient(a.store.RiverDriver(), cfg)
	if err != nil {
		return nil, fmt.Errorf("app: building job client: %w", err)
	}
	svc.Attach(client)
	a.alerts = svc
	return client, nil
}

// ScanAlertsNow runs the abandonment scan of one shop at once, as the
// periodic job does: it flags idle sessions, queues their alerts, and
// gathers a due digest. Demo mode and tests call it.
func (a *App) ScanAlertsNow(ctx context.Context, domain string) error {
	shop, err := a.store.ShopByDomain(ctx, domain)
	if err != nil {
		return err
	}
	return a.alerts.ScanShop(ctx, shop.ID)
}

// ScanAnomaliesNow runs the step anomaly scan of one shop as if it were
// at, as the hourly job does at the app's clock: it returns how many
// anomalies it raised (an anomaly already raised for the same step and
// device that day, or on a day of its window, is not raised again). Demo
// mode and tests call it.
func (a *App) ScanAnomaliesNow(ctx context.Context, shopDomain string, at time.Time) (raised int, err error) {
	shop, err := a.store.ShopByDomain(ctx, shopDomain)
	if err != nil {
		return 0, err
	}
	return a.alerts.ScanAnomalies(ctx, shop.ID, at)
}

// EnqueueAlertScan queues the abandonment scan of every installed shop for
// the job workers, as the periodic job does every minute.
func (a *App) EnqueueAlertScan(ctx context.Context) error {
	return a.alerts.EnqueueScan(ctx)
}

// RegisterWebhooksArgs asks for a shop's webhook subscriptions to be made.
type RegisterWebhooksArgs struct {
	Shop string `json:"shop"`
}

// Kind names the job for River.
func (RegisterWebhooksArgs) Kind() string { return "register_webhooks" }

type registerWebhooksWorker struct {
	river.WorkerDefaults[RegisterWebhooksArgs]
	app *App
}

// Work registers the app's topics for one shop; it is idempotent, so River's
// retries are safe. A shop that must re-authorize is not retried.
func (w *registerWebhooksWorker) Work(ctx context.Context, job *river.Job[RegisterWebhooksArgs]) error {
	err := w.app.SyncShop(ctx, job.Args.Shop)
	if errors.Is(err, errNeedsReauth) {
		return river.JobCancel(err)
	}
	return err
}

// SyncShop makes sure the shop's webhook subscriptions exist and records its
// time zone and currency, refreshing its access token first when it is near
// expiry.
func (a *App) SyncShop(ctx context.Context, domain string) error {
	shop, err := a.store.ShopByDomain(ctx, domain)
	if err != nil {
		return err
	}
	token, err := a.adminToken(ctx, shop)
	if err != nil {
		return err
	}
	err = a.shopify.RegisterWebhooks(ctx, shop.Domain, token, a.cfg.AppURL+webhookPath, webhookTopics())
	if errors.Is(err, shopify.ErrReauthorize) {
		return a.markNeedsReauth(ctx, shop, err)
	}
	if err != nil {
		return fmt.Errorf("app: registering webhooks of %s: %w", shop.Domain, err)
	}
	a.log.InfoContext(ctx, "webhooks registered", "shop", shop.Domain)
	details, err := a.shopify.ShopDetails(ctx, shop.Domain, token)
	if errors.Is(err, shopify.ErrReauthorize) {
		return a.markNeedsReauth(ctx, shop, err)
	}
	if err != nil {
		return fmt.Errorf("app: reading details of %s: %w", shop.Domain, err)
	}
	return a.store.SetShopDetails(ctx, shop.ID, details.Currency, details.Timezone)
}

// PurgePayloadsArgs asks for kept webhook payloads past retention to be purged.
type PurgePayloadsArgs struct{}

// Kind names the job for River.
func (PurgePayloadsArgs) Kind() string { return "purge_payloads" }

type purgePayloadsWorker struct {
	river.WorkerDefaults[PurgePayloadsArgs]
	app *App
}

// Work purges the payloads older than the retention period.
func (w *purgePayloadsWorker) Work(ctx context.Context, _ *river.Job[PurgePayloadsArgs]) error {
	n, err := w.app.store.PurgePayloads(ctx, w.app.now().Add(-w.app.cfg.PayloadRetention))
	if err != nil {
		return err
	}
	w.app.log.InfoContext(ctx, "payloads purged", "count", n)
	return nil
}

// PurgeStorefrontArgs asks for raw storefront events past their retention
// to be deleted.
type PurgeStorefrontArgs struct{}

// Kind names the job for River.
func (PurgeStorefrontArgs) Kind() string { return "purge_storefront_events" }

type purgeStorefrontWorker struct {
	river.WorkerDefaults[PurgeStorefrontArgs]
	app *App
}

// Work deletes the raw storefront events received before the retention.
func (w *purgeStorefrontWorker) Work(ctx context.Context, _ *river.Job[PurgeStorefrontArgs]) error {
	n, err := w.app.store.PurgeStorefrontEvents(ctx, w.app.now().Add(-w.app.storefrontRetention()))
	if err != nil {
		return err
	}
	w.app.log.InfoContext(ctx, "storefront events purged", "count", n)
	return nil
}

// storefrontRetention is the configured retention of raw storefront
// events, or the default.
func (a *App) storefrontRetention() time.Duration {
	if a.cfg.StorefrontRetention > 0 {
		return a.cfg.StorefrontRetention
	}
	return DefaultStorefrontRetention
}
