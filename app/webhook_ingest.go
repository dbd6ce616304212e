package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// outcome says what became of a delivery; it is the webhook's answer body and
// a metrics label.
type outcome string

const (
	outcomeApplied   outcome = "applied"
	outcomeDuplicate outcome = "duplicate"
	outcomeKept      outcome = "kept"
	outcomeIgnored   outcome = "ignored"
)

// Topics the app handles.
const (
	topicCartsCreate     = "carts/create"
	topicCartsUpdate     = "carts/update"
	topicCheckoutsCreate = "checkouts/create"
	topicCheckoutsUpdate = "checkouts/update"
	topicCheckoutsDelete = "checkouts/delete"
	topicOrdersCreate    = "orders/create"
	topicAppUninstalled  = "app/uninstalled"
	topicDataRequest     = "customers/data_request"
	topicCustomersRedact = "customers/redact"
	topicShopRedact      = "shop/redact"
)

// webhookTopics are the topics registered for each shop through the Admin
// API; the compliance topics come from shopify.app.toml.
func webhookTopics() []string {
	return []string{topicCartsCreate, topicCartsUpdate, topicCheckoutsCreate, topicCheckoutsUpdate,
		topicCheckoutsDelete, topicOrdersCreate, topicAppUninstalled}
}

// metricTopic keeps the metrics label set bounded: unknown topics share one label.
func metricTopic(topic string) string {
	switch topic {
	case topicCartsCreate, topicCartsUpdate, topicCheckoutsCreate, topicCheckoutsUpdate, topicCheckoutsDelete,
		topicOrdersCreate, topicAppUninstalled, topicDataRequest, topicCustomersRedact, topicShopRedact:
		return topic
	}
	return "other"
}

// ingest routes one verified delivery. An error means nothing was committed
// and the delivery must be answered with a 5xx.
func (a *App) ingest(ctx context.Context, d store.Delivery) (outcome, error) {
	switch d.Topic {
	case topicCartsCreate, topicCartsUpdate, topicCheckoutsCreate, topicCheckoutsUpdate, topicOrdersCreate:
		return a.ingestFunnelEvent(ctx, d)
	case topicCheckoutsDelete:
		return a.keepForShop(ctx, d, "")
	case topicAppUninstalled:
		at := a.now()
		if d.TriggeredAt != nil {
			at = *d.TriggeredAt
		}
		if err := a.store.UninstallShop(ctx, d.ShopDomain, at); err != nil {
			return "", err
		}
		a.shops.forget(d.ShopDomain)
		a.log.InfoContext(ctx, "shop uninstalled", "shop", d.ShopDomain)
		return a.keepForShop(ctx, d, "")
	case topicDataRequest, topicCustomersRedact, topicShopRedact:
		return a.ingestCompliance(ctx, d)
	}
	return outcomeIgnored, nil
}

// ingestFunnelEvent parses a cart, checkout or order and applies it to its
// funnel session in the same transaction that records the delivery.
func (a *App) ingestFunnelEvent(ctx context.Context, d store.Delivery) (outcome, error) {
	ev, reason := eventFromPayload(d.Topic, d.Payload)
	if reason == "" {
		reason = a.checkEventTimes(ev)
	}
	if reason == "" && ev == nil {
		reason = "not a storefront order"
	}
	if reason != "" {
		return a.keepUnusable(ctx, d, reason)
	}
	r := a.commits.ingest(ctx, d, ev)
	switch {
	case r.err != nil:
		return "", r.err
	case !r.installed:
		return a.keep(ctx, nil, d, "shop is not installed")
	case r.duplicate:
		return outcomeDuplicate, nil
	}
	return outcomeApplied, nil
}

// keepUnusable keeps a funnel delivery that cannot be applied, with its
// reason; that its shop is not installed is the reason that comes first.
func (a *App) keepUnusable(ctx context.Context, d store.Delivery, reason string) (outcome, error) {
	ids, err := a.shops.lookup(ctx, []string{d.ShopDomain})
	if err != nil {
		return "", err
	}
	shopID, installed := ids[d.ShopDomain]
	if !installed {
		return a.keep(ctx, nil, d, "shop is not installed")
	}
	return a.keep(ctx, &shopID, d, reason)
}

// checkEventTimes refuses payload times that cannot be real: they would put a
// session on a day it never happened.
func (a *App) checkEventTimes(ev *funnel.Event) string {
	if ev == nil {
		return ""
	}
	// Nothing sold on Shopify before 2006; nothing happens a day from now.
	earliest, latest := time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC), a.now().Add(24*time.Hour)
	for _, t := range []time.Time{ev.CreatedAt, ev.UpdatedAt} {
		if t.IsZero() {
			continue
		}
		if t.Before(earliest) || t.After(latest) {
			return fmt.Sprintf("timestamp %s is implausible", t.UTC().Format(time.RFC3339))
		}
	}
	return ""
}

// keepForShop keeps a delivery that changes no funnel, linked to its shop when known.
func (a *App) keepForShop(ctx context.Context, d store.Delivery, reason string) (outcome, error) {
	var id *int64
	if shopID, _, err := a.store.InstalledShopID(ctx, d.ShopDomain); err == nil {
		id = &shopID
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return a.keep(ctx, id, d, reason)
}

// keep records a delivery with the reason it changed no funnel, for
// inspection and replay; Shopify gets a 200 so it stops retrying.
func (a *App) keep(ctx context.Context, shopID *int64, d store.Delivery, reason string) (outcome, error) {
	dup, err := a.store.KeepDelivery(ctx, shopID, d, reason)
	if err != nil {
		return "", err
	}
	if reason != "" {
		a.log.InfoContext(ctx, "webhook kept", "topic", d.Topic, "shop", d.ShopDomain,
			"webhook_id", d.WebhookID, "reason", reason)
	}
	if dup {
		return outcomeDuplicate, nil
	}
	return outcomeKept, nil
}

// parseTriggeredAt reads X-Shopify-Triggered-At; a malformed value is dropped.
func parseTriggeredAt(v string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
