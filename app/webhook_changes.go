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
// published) and keeps the delivery: applied when the change is new,
// duplicate when it was recorded before. A redelivery records nothing more:
// the change's dedupe key names the theme and the time it was published,
// which every delivery of that publication carries. The change is recorded
// before the delivery is kept, so that a failure between the two is
// retried and then finds the change already there.
func (a *App) ingestChange(ctx context.Context, d store.Delivery) (outcome, error) {
	shopID, _, err := a.store.InstalledShopID(ctx, d.ShopDomain)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return a.keep(ctx, nil, d, "shop is not installed")
	case err != nil:
		return "", err
	}
	c, reason := changeFromTheme(d, a.now())
	if reason != "" {
		return a.keep(ctx, &shopID, d, reason)
	}
	c.ShopID = shopID
	_, added, err := a.store.AddChange(ctx, c)
	if err != nil {
		return a.keepRefused(ctx, &shopID, d, err)
	}
	if _, err := a.keep(ctx, &shopID, d, ""); err != nil {
		return "", err
	}
	if !added {
		return outcomeDuplicate, nil
	}
	return outcomeApplied, nil
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
	at, key := now, "webhook:"+d.WebhookID
	switch {
	case !th.UpdatedAt.IsZero() && plausibleTime(th.UpdatedAt.Time, now):
		at = th.UpdatedAt.UTC()
		key = at.Format(time.RFC3339Nano)
	case d.TriggeredAt != nil:
		at = *d.TriggeredAt
	}
	name := th.Name
	if name == "" {
		name = "#" + strconv.FormatInt(th.ID, 10)
	}
	const most = 200
	if utf8.RuneCountInString(name) > most {
		name = string([]rune(name)[:most]) + "…"
	}
	return store.Change{
		At: at, Kind: funnel.ChangeThemePublished, Source: funnel.ChangeFromWebhook,
		Description: "Published the theme “" + name + "”",
		DedupeKey:   shopify.TopicThemesPublish + ":" + strconv.FormatInt(th.ID, 10) + ":" + key,
	}, ""
}
