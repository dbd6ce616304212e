package app

import (
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// discountExpired is the status Shopify gives a discount whose end has
// passed (DiscountStatus: ACTIVE, EXPIRED, SCHEDULED).
const discountExpired = "EXPIRED"

// changeFromDiscount is the change a discounts/create, discounts/update or
// discounts/delete delivery reports, or why it reports none: a discount
// created (dated by its created_at), or ended, when an update gives it the
// status EXPIRED (dated by its updated_at) or an ends_at that has passed
// (dated by it), or it is deleted (its deleted_at). Other updates record nothing. A discount ends once: its
// expiry and its later deletion are one change, keyed by the discount's id,
// as its creation is.
func changeFromDiscount(d store.Delivery, now time.Time) (store.Change, string) {
	dc, err := shopify.ParseDiscount(d.Payload)
	if err != nil {
		return store.Change{}, err.Error()
	}
	name := shortName(dc.Title, discountNumber(dc.AdminGraphQLAPIID))
	c := store.Change{Kind: funnel.ChangeDiscount, Source: funnel.ChangeFromWebhook}
	switch d.Topic {
	case shopify.TopicDiscountsCreate:
		c.At, _ = changeTime(dc.CreatedAt, d, now)
		c.Description = "Created the discount “" + name + "”"
		c.DedupeKey = "discount:" + dc.AdminGraphQLAPIID + ":created"
		return c, ""
	case shopify.TopicDiscountsUpdate:
		ended := !dc.EndsAt.IsZero() && !dc.EndsAt.After(now)
		if !strings.EqualFold(dc.Status, discountExpired) && !ended {
			return store.Change{}, "the discount's status is " + shortName(dc.Status, "empty") + ", not ended (" + discountExpired + ")"
		}
		c.At, _ = changeTime(dc.UpdatedAt, d, now)
		if ended {
			c.At, _ = changeTime(dc.EndsAt, d, now)
		}
	default: // discounts/delete, which names no title
		c.At, _ = changeTime(dc.DeletedAt, d, now)
		if dc.Title == "" {
			name = discountNumber(dc.AdminGraphQLAPIID)
		}
	}
	c.Description = "Ended the discount “" + name + "”"
	c.DedupeKey = "discount:" + dc.AdminGraphQLAPIID + ":ended"
	return c, ""
}

// discountNumber names a discount by its GraphQL id's number ("#1057371"
// for gid://shopify/DiscountAutomaticNode/1057371), where the payload
// gives no title.
func discountNumber(gid string) string {
	return "#" + shortName(gid[strings.LastIndexByte(gid, '/')+1:], gid)
}
