package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// ingestChange records the store change a delivery reports (a theme
// published, a discount created or ended, a product's prices changed) and
// keeps the delivery: applied when the change is new, duplicate when it
// was recorded before. A product update that changes no price (a first
// sighting, another edit, the same update again under another id) is only
// kept. A redelivery records nothing more: the change's dedupe key names
// what changed and when, which every delivery of it carries. The change is
// recorded before the delivery is kept, so that a failure between the two
// is retried and then finds the change already there.
func (a *App) ingestChange(ctx context.Context, d store.Delivery) (outcome, error) {
	shopID, _, err := a.store.InstalledShopID(ctx, d.ShopDomain)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return a.keep(ctx, nil, d, "shop is not installed")
	case err != nil:
		return "", err
	}
	var added bool
	if d.Topic == shopify.TopicProductsUpdate {
		var reason string
		added, reason, err = a.recordPrices(ctx, shopID, d)
		switch {
		case err != nil:
			return a.keepRefused(ctx, &shopID, d, err)
		case reason != "":
			return a.keep(ctx, &shopID, d, reason)
		}
	} else {
		c, reason := deliveryChange(d, a.now())
		if reason != "" {
			return a.keep(ctx, &shopID, d, reason)
		}
		c.ShopID = shopID
		if _, added, err = a.store.AddChange(ctx, c); err != nil {
			return a.keepRefused(ctx, &shopID, d, err)
		}
	}
	kept, err := a.keep(ctx, &shopID, d, "")
	switch {
	case err != nil:
		return "", err
	case added:
		return outcomeApplied, nil
	case d.Topic == shopify.TopicProductsUpdate:
		// Kept: the update changed no price (any more), which is no
		// duplicate of anything unless the delivery itself is.
		return kept, nil
	}
	return outcomeDuplicate, nil
}

// deliveryChange is the change a themes/publish or discounts delivery
// reports, or why it reports none.
func deliveryChange(d store.Delivery, now time.Time) (store.Change, string) {
	if d.Topic == shopify.TopicThemesPublish {
		return changeFromTheme(d, now)
	}
	return changeFromDiscount(d, now)
}

// changeTime dates a change by t, the payload's own time of it, when that
// is plausible (not in the future); else by the delivery's trigger time,
// else now. fromPayload tells whether t was used.
func changeTime(t shopify.Time, d store.Delivery, now time.Time) (at time.Time, fromPayload bool) {
	switch {
	case !t.IsZero() && plausibleTime(t.Time, now):
		return t.UTC(), true
	case d.TriggeredAt != nil:
		return *d.TriggeredAt, false
	}
	return now, false
}

// shortName is a name cut to 200 characters, or fallback when empty.
func shortName(name, fallback string) string {
	if name == "" {
		return fallback
	}
	const most = 200
	if utf8.RuneCountInString(name) > most {
		return string([]rune(name)[:most]) + "…"
	}
	return name
}

// changeFromTheme is the change a themes/publish delivery reports, dated
// by the theme's updated_at (its publication), else the delivery's
// trigger time, else now; or why it reports none.
func changeFromTheme(d store.Delivery, now time.Time) (store.Change, string) {
	th, err := shopify.ParseTheme(d.Payload)
	if err != nil {
		return store.Change{}, err.Error()
	}
	if th.Role != "main" {
		return store.Change{}, fmt.Sprintf("the theme's role is %q, not the published one (main)", th.Role)
	}
	// The key: the publication's time, which every delivery of it
	// carries; without one, the delivery's own id.
	at, fromPayload := changeTime(th.UpdatedAt, d, now)
	key := "webhook:" + d.WebhookID
	if fromPayload {
		key = at.Format(time.RFC3339Nano)
	}
	name := shortName(th.Name, "#"+strconv.FormatInt(th.ID, 10))
	return store.Change{
		At: at, Kind: funnel.ChangeThemePublished, Source: funnel.ChangeFromWebhook,
		Description: "Published the theme “" + name + "”",
		DedupeKey:   shopify.TopicThemesPublish + ":" + strconv.FormatInt(th.ID, 10) + ":" + key,
	}, ""
}
