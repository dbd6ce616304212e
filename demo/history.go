// Package demo is the made-up store history that demo mode fills itself
// with: who shops, when and how far (history.go), the payloads their
// journeys become (payloads.go), and their delivery as signed webhooks to
// the running app (deliver.go); the storefront's visits of the same days
// (storefront.go), posted to its POST /collect as the web pixel posts
// them (deliver_collect.go) on a replay clock (replay_clock.go). It
// reaches the app over HTTP only, as Shopify and the pixel do; the
// shoppers and visits come from the journey generator the benchmarks and
// the tests share (demo/journeys).
package demo

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/funnelscope/funnelscope/demo/journeys"
)

// History describes the store history demo mode generates and how it is
// delivered: as signed webhooks to the running app's POST /webhooks,
// exactly as Shopify would send them, so the data takes the real path.
type History struct {
	// BaseURL is the running app, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Shop receives the history; APIKey and Secret sign the webhooks and
	// the session token used to check for existing data.
	Shop, APIKey, Secret string
	// Now is the clock payload times are relative to (default time.Now).
	Now func() time.Time
	// Seed makes the history reproducible.
	Seed uint64
	// Sessions and Days size the history (defaults 3000 and 90); Workers
	// is how many webhooks are posted at once (default 4).
	Sessions, Days, Workers int
	// Browsers is how many storefront visits that never add to cart come
	// for each cart shopper (default 14: an add to cart in about 6% of
	// visits).
	Browsers float64
	// PixelDays is how many days ago the store turned its pixel on: the
	// visits that start before then are left out, as their cart sessions
	// then have no visit (default Days, the whole history). The demo uses
	// 14 (a pixel turned on two weeks ago), so that it fills in a minute
	// rather than several: SQLite folds a few hundred events a second on
	// a loaded 2-core machine.
	PixelDays int
	// PixelKey is the shop's pixel key, which the storefront's events are
	// posted to POST /collect with; empty leaves the storefront out.
	PixelKey string
	// Replay, when set, is the clock the app's /collect places arrivals
	// by (app.Options.CollectNow): Fill sets it to each batch's moment as
	// it posts it, so that the whole history arrives as the pixel sent it,
	// within the collector's window, and sets it going with the real
	// clock once done. Without it every event is sent as it is today, and
	// the collector counts only those of its window (30 days).
	Replay *ReplayClock
	// Client posts the webhooks (default: a client with a 30 s timeout).
	Client *http.Client
	// Progress receives a line now and then; nil is silent.
	Progress io.Writer
	// FlagAbandoned runs the abandonment scan once every journey has been
	// delivered, before the late orders that win back some abandoned
	// checkouts, so that those count as recovered. Nil skips the scan, and
	// the late orders then count as plain completions.
	FlagAbandoned func(ctx context.Context) error
	// Changes are the store's dated changes and their effects on the
	// shoppers (DemoChanges); with any, the shoppers also shop on devices
	// that convert differently (demoDevices). Fill records them once the
	// journeys are delivered. Nil, the history has neither.
	Changes []Change
	// Zone is the shop's time zone, which ScanAt's days are in (default
	// UTC).
	Zone *time.Location
	// ScanAt, when set, is called once everything else is delivered for
	// each day after the newest change, at 20:00 of that day in Zone
	// (ScanDays), in day order: the app's anomaly scan as it would have
	// run on each of those evenings. An error stops the fill.
	ScanAt func(ctx context.Context, at time.Time) error
	// Folded, when set, is called once the storefront's events are
	// posted and returns once the app has folded them into visits
	// (store.DrainStorefront): /collect answers before it folds, and the
	// scans and the fill's callers read the visits.
	Folded func(ctx context.Context) error
}

func (h *History) defaults() {
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Sessions <= 0 {
		h.Sessions = 3000
	}
	if h.Days <= 0 {
		h.Days = 90
	}
	if h.Workers <= 0 {
		h.Workers = 4
	}
	if h.Client == nil {
		h.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if h.Zone == nil {
		h.Zone = time.UTC
	}
	if _, ok := h.Progress.(*lockedWriter); h.Progress != nil && !ok {
		h.Progress = &lockedWriter{w: h.Progress}
	}
}

// lockedWriter writes the progress lines of concurrent posters one at a
// time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// Shoppers returns the history's shoppers: stage rates that differ by
// source and by new or returning shopper, several countries, express
// checkouts, and a few abandoned checkouts won back days later.
func (h History) Shoppers() []journeys.Shopper {
	h.defaults()
	crowd := h.mix().Crowd()
	out := make([]journeys.Shopper, h.Sessions)
	for i := range out {
		out[i] = crowd.Next()
	}
	return out
}

// mix is the demo store: what it sells, where its shoppers come from and
// how they behave. Journeys end ten minutes before Now at the latest.
func (h History) mix() journeys.Mix {
	m := h.baseMix()
	if len(h.Changes) > 0 {
		m.Devices, m.Effects = demoDevices(), h.effects()
	}
	return m
}

// baseMix is the demo store without its changes.
func (h History) baseMix() journeys.Mix {
	within := func(from, to, step time.Duration) journeys.Delay {
		return journeys.Delay{From: from, To: to, Step: step}
	}
	return journeys.Mix{
		Seed: h.Seed, Prefix: "demo-", Digits: 5,
		End:  h.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute),
		Span: time.Duration(h.Days) * 24 * time.Hour, Recent: 4,
		Sources: []journeys.Source{
			{Name: "web", Weight: 38, Factor: 1.0},
			{Name: "google", Weight: 22, Factor: 0.95, Referrer: "https://www.google.com/"},
			{Name: "instagram", Weight: 16, Factor: 0.7, Referrer: "https://l.instagram.com/"},
			{Name: "email", Weight: 10, Factor: 1.3},
			{Name: "facebook", Weight: 8, Factor: 0.8, Referrer: "https://m.facebook.com/"},
			{Name: "tiktok", Weight: 6, Factor: 0.6, Referrer: "https://www.tiktok.com/"},
		},
		Countries: []journeys.WeightedCountry{
			{Country: journeys.Country{Code: "US", Name: "United States", City: "Portland", Zip: "97201"}, Weight: 45},
			{Country: journeys.Country{Code: "CA", Name: "Canada", City: "Ottawa", Zip: "K1A 0B1"}, Weight: 15},
			{Country: journeys.Country{Code: "GB", Name: "United Kingdom", City: "Leeds", Zip: "LS1 4AP"}, Weight: 12},
			{Country: journeys.Country{Code: "DE", Name: "Germany", City: "Hamburg", Zip: "20095"}, Weight: 10},
			{Country: journeys.Country{Code: "AU", Name: "Australia", City: "Brisbane", Zip: "4000"}, Weight: 8},
			{Country: journeys.Country{Code: "FR", Name: "France", City: "Lyon", Zip: "69001"}, Weight: 6},
			{Country: journeys.Country{Code: "NL", Name: "Netherlands", City: "Utrecht", Zip: "3511"}, Weight: 4},
		},
		Returning: 25, PriorOrders: 5, ReturningFactor: 1.25,
		Catalog: []journeys.Item{
			{Title: "Merino Wool Beanie", Cents: 28_00}, {Title: "Organic Cotton T-Shirt", Cents: 32_00},
			{Title: "Canvas Tote Bag", Cents: 19_00}, {Title: "Trail Running Socks (3 pack)", Cents: 24_00},
			{Title: "Waxed Rain Jacket", Cents: 189_00}, {Title: "Leather Card Wallet", Cents: 45_00},
			{Title: "Ceramic Pour-Over Set", Cents: 64_00}, {Title: "Linen Throw Blanket", Cents: 120_00},
			{Title: "Stainless Water Bottle", Cents: 35_00},
		},
		Lines: 3, Qty: 2,
		Rates:   [5]float64{0.47, 0.84, 0.86, 0.87, 0.67},
		Express: 15,
		// Some checkouts with contact details, abandoned days ago, come back.
		Recover: 12, RecoverAge: 5 * 24 * time.Hour, RecoverAfter: within(24*time.Hour, 95*time.Hour, time.Hour),
		Updates: 30, MostUpdates: 1, UpdateAfter: within(time.Minute, 8*time.Minute, time.Minute),
		CheckoutAfter: within(2*time.Minute, 26*time.Minute, time.Minute),
		StepAfter: [3]journeys.Delay{
			within(30*time.Second, 209*time.Second, time.Second), // contact
			within(30*time.Second, 269*time.Second, time.Second), // address
			within(30*time.Second, 209*time.Second, time.Second), // shipping line, reaching payment
		},
		OrderAfter: within(time.Minute, 5*time.Minute, time.Minute),
	}
}
