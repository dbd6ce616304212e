package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// defaultVariantTitle is the title Shopify gives the one variant of a
// product without options.
const defaultVariantTitle = "Default Title"

// recordPrices keeps the prices a products/update delivery gives and
// records a price change when some differ from those seen last (the
// payload has no old price): one change per product update, dated by the
// product's updated_at and keyed by it, so that a redelivery, or the same
// update delivered to both subscriptions, adds nothing. A first sighting of
// a variant only keeps its price; other edits of the product record
// nothing. A non-empty reason says why the payload cannot be used.
func (a *App) recordPrices(ctx context.Context, shopID int64, d store.Delivery) (added bool, reason string, err error) {
	p, err := shopify.ParseProduct(d.Payload)
	if err != nil {
		return false, err.Error(), nil
	}
	prices := make([]store.VariantPrice, 0, len(p.Variants))
	for _, v := range p.Variants {
		cents, err := funnel.ParseAmount(v.Price)
		if err != nil {
			return false, fmt.Sprintf("variant %d: %v", v.ID, err), nil
		}
		prices = append(prices, store.VariantPrice{VariantID: v.ID, Title: v.Title, Price: cents})
	}
	now := a.now()
	at, fromPayload := changeTime(p.UpdatedAt, d, now)
	key := "webhook:" + d.WebhookID
	if fromPayload {
		key = at.Format(time.RFC3339Nano)
	}
	shop, err := a.store.ShopByID(ctx, shopID)
	if err != nil {
		return false, "", err
	}
	added, err = a.store.RecordPrices(ctx, shopID, p.ID, at, prices, func(changed []store.PriceChange) store.Change {
		return store.Change{
			At: at, Kind: funnel.ChangePriceChanged, Source: funnel.ChangeFromWebhook,
			Description: priceChangeText(shortName(p.Title, "#"+strconv.FormatInt(p.ID, 10)), changed, shop.Currency),
			DedupeKey:   shopify.TopicProductsUpdate + ":" + strconv.FormatInt(p.ID, 10) + ":" + key,
		}
	})
	return added, "", err
}

// priceChangeText describes a product's price changes in the shop's
// currency: "Canvas Tote Bag: $21.00 → $19.00" for a product of one
// variant, "Canvas Tote Bag: Small $21.00 → $19.00, Large $25.00 → $23.00"
// for several, cut to funnel.MaxChangeDescription characters.
func priceChangeText(product string, changed []store.PriceChange, currency string) string {
	parts := make([]string, 0, len(changed))
	for _, c := range changed {
		part := funnel.DisplayMoney(c.Old, currency) + " → " + funnel.DisplayMoney(c.Price, currency)
		if c.Title != "" && c.Title != defaultVariantTitle {
			part = shortName(c.Title, "") + " " + part
		}
		parts = append(parts, part)
	}
	text := product + ": " + strings.Join(parts, ", ")
	if r := []rune(text); len(r) > funnel.MaxChangeDescription {
		text = string(r[:funnel.MaxChangeDescription-1]) + "…"
	}
	return text
}
