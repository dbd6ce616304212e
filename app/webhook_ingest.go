package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
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

// ingest routes one verified delivery. An error means nothing was committed
// and the delivery must be answered with a 5xx.
func (a *App) ingest(ctx context.Context, d store.Delivery) (outcome, error) {
	shop, reason := deliveryShop(d)
	if reason != "" {
		// Which shop it is for is in doubt: nothing is done for either.
		return a.keep(ctx, nil, d, reason)
	}
	d.ShopDomain = shop
	switch routeOf(d.Topic) {
	case routeFunnel:
		return a.ingestFunnelEvent(ctx, d)
	case routeKeep:
		return a.keepForShop(ctx, d, "")
	case routeUninstall:
		at := a.now()
		if d.TriggeredAt != nil {
			at = *d.TriggeredAt
		}
		if err := a.store.UninstallShop(ctx, d.ShopDomain, at); err != nil {
			return a.keepRefused(ctx, nil, d, err)
		}
		a.forgetShop(d.ShopDomain)
		a.log.InfoContext(ctx, "shop uninstalled", "shop", d.ShopDomain)
		return a.keepForShop(ctx, d, "")
	case routeChange:
		return a.ingestChange(ctx, d)
	case routeCompliance:
		out, err := a.ingestCompliance(ctx, d)
		if err != nil {
			return a.keepRefused(ctx, nil, d, err)
		}
		return out, nil
	}
	return outcomeIgnored, nil
}

// deliveryShop decides which shop a delivery is for. Where the topic's
// body names its shop (app/uninstalled, the compliance topics), it is the
// one the signed body names: the X-Shopify-Shop-Domain header is not
// signed, and must agree with it, case aside. Other topics' bodies do not
// name their shop, and the header says. A non-empty reason says why the
// delivery cannot be used: the body cannot be read, names no shop, or names
// another one than the header.
func deliveryShop(d store.Delivery) (shop, reason string) {
	header := shopify.NormalizeShopDomain(d.ShopDomain)
	named, ok, err := shopify.BodyShop(d.Topic, d.Payload)
	switch {
	case !ok:
		return header, ""
	case err != nil:
		return "", err.Error()
	case shopify.NormalizeShopDomain(named.Domain) != header:
		return "", fmt.Sprintf("the signed body is for shop %q but X-Shopify-Shop-Domain says %q", named.Domain, d.ShopDomain)
	}
	return header, ""
}

// ingestFunnelEvent parses a cart, checkout or order and applies it to its
// funnel session in the same transaction that records the delivery.
func (a *App) ingestFunnelEvent(ctx context.Context, d store.Delivery) (outcome, error) {
	ev, reason := eventFromPayload(d.Topic, d.Payload, a.now())
	if reason == "" && ev == nil {
		reason = "not a storefront order"
	}
	if reason != "" {
		return a.keepUnusable(ctx, d, reason)
	}
	r := a.commits.ingest(ctx, d, ev)
	switch {
	case r.err != nil && r.installed:
		// Committed alone, the delivery failed: kept when the database
		// refused it, as it would on every retry; else a 5xx.
		return a.keepRefused(ctx, &r.shopID, d, r.err)
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

// Payload times outside these bounds cannot be real: they would put a
// session on a day it never happened. Nothing sold on Shopify before 2006,
// and nothing happens more than a day (of clock skew) from now.
var earliestPlausible = time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC)

const maxClockSkew = 24 * time.Hour

// plausibleTime reports whether t can be the time of something that
// happened on Shopify, seen at now.
func plausibleTime(t, now time.Time) bool {
	return !t.Before(earliestPlausible) && !t.After(now.Add(maxClockSkew))
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

// keepRefused keeps a delivery whose work the database refused (err, as
// store.Permanent tells), with the refusal as its reason, and answers it
// 200: the same data would be refused on every retry. Any other error is
// returned, for a 5xx and a retry.
func (a *App) keepRefused(ctx context.Context, shopID *int64, d store.Delivery, err error) (outcome, error) {
	if !store.Permanent(err) {
		return "", err
	}
	a.log.ErrorContext(ctx, "webhook refused by the database; kept", "topic", d.Topic, "shop", d.ShopDomain,
		"webhook_id", d.WebhookID, "error", err.Error())
	return a.keep(ctx, shopID, d, "the database refused it: "+err.Error())
}

// keep records a delivery with the reason it changed no funnel, for
// inspection and replay; Shopify gets a 200 so it stops retrying. A
// compliance delivery is kept without its payload: it names the very
// customer or shop being erased. Should the database refuse the row
// itself, it is kept bare — its ids, topic, shop and the refusal — so that
// it is still answered, and recognised when delivered again.
func (a *App) keep(ctx context.Context, shopID *int64, d store.Delivery, reason string) (outcome, error) {
	if shopify.ComplianceTopic(d.Topic) {
		d.Payload = nil
	}
	dup, err := a.store.KeepDelivery(ctx, shopID, d, reason)
	if err != nil && store.Permanent(err) {
		reason = "the database refused it: " + err.Error()
		bare := store.Delivery{WebhookID: d.WebhookID, Topic: d.Topic, ShopDomain: d.ShopDomain}
		dup, err = a.store.KeepDelivery(ctx, nil, bare, reason)
	}
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

// parseTriggeredAt reads X-Shopify-Triggered-At; a malformed or implausible
// value is dropped.
func (a *App) parseTriggeredAt(v string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil || !plausibleTime(t, a.now()) {
		return nil
	}
	t = t.UTC()
	return &t
}
