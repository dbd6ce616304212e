package app

import (
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// eventFromPayload reads a cart, checkout or order body into a funnel event.
// A non-empty reason says why the body cannot be used; a nil event with no
// reason is an order that is not part of any storefront journey.
func eventFromPayload(topic string, body []byte) (*funnel.Event, string) {
	ev, reason := decodeEvent(topic, body)
	if ev != nil {
		dropNUL(ev)
	}
	return ev, reason
}

// dropNUL removes NUL characters from the event's text. JSON may carry
// them (\u0000) but PostgreSQL's text and jsonb cannot: kept, they would
// make the delivery fail on every retry.
func dropNUL(ev *funnel.Event) {
	for _, f := range []*string{&ev.CartToken, &ev.CheckoutToken, &ev.Currency, &ev.Email, &ev.Phone, &ev.Country,
		&ev.LandingSite, &ev.ReferringSite, &ev.SourceName, &ev.Gateway, &ev.RecoveryURL} {
		*f = strings.ReplaceAll(*f, "\x00", "")
	}
	for i := range ev.LineItems {
		ev.LineItems[i].Title = strings.ReplaceAll(ev.LineItems[i].Title, "\x00", "")
	}
}

// decodeEvent is eventFromPayload before dropNUL.
func decodeEvent(topic string, body []byte) (*funnel.Event, string) {
	switch topic {
	case topicCartsCreate, topicCartsUpdate:
		c, err := shopify.ParseCart(body)
		if err != nil {
			return nil, err.Error()
		}
		return cartEvent(c)
	case topicCheckoutsCreate, topicCheckoutsUpdate:
		c, err := shopify.ParseCheckout(body)
		if err != nil {
			return nil, err.Error()
		}
		return checkoutEvent(c)
	default: // orders/create
		o, err := shopify.ParseOrder(body)
		if err != nil {
			return nil, err.Error()
		}
		if !o.StorefrontOrder() {
			return nil, ""
		}
		return orderEvent(o)
	}
}

func cartEvent(c shopify.Cart) (*funnel.Event, string) {
	ev := &funnel.Event{
		Kind:      funnel.KindCart,
		CartToken: c.Token,
		CreatedAt: c.CreatedAt.UTC(),
		UpdatedAt: latest(c.UpdatedAt.Time, c.CreatedAt.Time),
		Currency:  c.Currency(),
	}
	for _, li := range c.LineItems {
		price := li.LinePrice
		amount, err := funnel.ParseMoney(price)
		if price == "" {
			amount, err = funnel.ParseMoney(li.Price)
			amount *= li.Quantity
		}
		if err != nil {
			return nil, err.Error()
		}
		ev.Value += amount
		addLine(ev, li)
	}
	return requireTimes(ev)
}

func checkoutEvent(c shopify.Checkout) (*funnel.Event, string) {
	value, reason := moneyOf(c.TotalPrice, c.SubtotalPrice)
	if reason != "" {
		return nil, reason
	}
	ev := &funnel.Event{
		Kind:               funnel.KindCheckout,
		CartToken:          c.CartToken,
		CheckoutToken:      c.Token,
		CreatedAt:          c.CreatedAt.UTC(),
		UpdatedAt:          latest(c.UpdatedAt.Time, c.CreatedAt.Time),
		Value:              value,
		Currency:           c.Currency,
		Email:              c.Email,
		Phone:              c.Phone,
		HasShippingAddress: hasAddress(c.ShippingAddress),
		HasBillingAddress:  hasAddress(c.BillingAddress),
		RequiresShipping:   len(c.LineItems) == 0 || c.RequiresShipping(),
		HasShippingLine:    len(c.ShippingLines) > 0,
		Country:            countryOf(c.ShippingAddress, c.BillingAddress),
		LandingSite:        c.LandingSite,
		ReferringSite:      c.ReferringSite,
		SourceName:         c.SourceName,
		Gateway:            c.Gateway,
		RecoveryURL:        c.AbandonedCheckoutURL,
	}
	if c.Customer != nil {
		if n := c.Customer.OrdersCount; n != nil {
			ev.Returning, ev.ReturningKnown = *n > 0, true
		}
		ev.Email = firstOf(ev.Email, c.Customer.Email)
		ev.Phone = firstOf(ev.Phone, c.Customer.Phone)
	}
	if !c.CompletedAt.IsZero() {
		t := c.CompletedAt.UTC()
		ev.CompletedAt = &t
	}
	for _, li := range c.LineItems {
		addLine(ev, li)
	}
	return requireTimes(ev)
}

func orderEvent(o shopify.Order) (*funnel.Event, string) {
	value, reason := moneyOf(o.TotalPrice, o.SubtotalPrice)
	if reason != "" {
		return nil, reason
	}
	created := o.CreatedAt.UTC()
	ev := &funnel.Event{
		Kind:          funnel.KindOrder,
		CartToken:     o.CartToken,
		CheckoutToken: o.CheckoutToken,
		CreatedAt:     created,
		UpdatedAt:     created,
		CompletedAt:   &created,
		Value:         value,
		Currency:      o.Currency,
		Email:         firstOf(o.Email, o.ContactEmail),
		Phone:         o.Phone,
		Country:       countryOf(o.ShippingAddress, o.BillingAddress),
		SourceName:    o.SourceName,
		LandingSite:   o.LandingSite,
		ReferringSite: o.ReferringSite,
	}
	if len(o.PaymentGatewayNames) > 0 {
		ev.Gateway = o.PaymentGatewayNames[0]
	}
	if o.Customer != nil {
		// orders_count already counts this order.
		if n := o.Customer.OrdersCount; n != nil {
			ev.Returning, ev.ReturningKnown = *n > 1, true
		}
		ev.Email = firstOf(ev.Email, o.Customer.Email)
		ev.Phone = firstOf(ev.Phone, o.Customer.Phone)
	}
	for _, li := range o.LineItems {
		addLine(ev, li)
	}
	return requireTimes(ev)
}

func addLine(ev *funnel.Event, li shopify.LineItem) {
	ev.ItemCount += int(li.Quantity)
	ev.LineItems = append(ev.LineItems, funnel.LineItem{Title: li.Title, Quantity: int(li.Quantity)})
}

// moneyOf reads the first amount present.
func moneyOf(amounts ...string) (int64, string) {
	for _, a := range amounts {
		if a == "" {
			continue
		}
		v, err := funnel.ParseMoney(a)
		if err != nil {
			return 0, err.Error()
		}
		return v, ""
	}
	return 0, ""
}

// requireTimes refuses an event with no time of its own: the funnel is built
// from payload times only.
func requireTimes(ev *funnel.Event) (*funnel.Event, string) {
	if ev.CreatedAt.IsZero() {
		return nil, "payload has no created_at"
	}
	return ev, ""
}

func hasAddress(a *shopify.Address) bool {
	return a != nil && (a.Address1 != "" || a.Zip != "" || a.CountryCode != "" || a.Country != "")
}

func countryOf(addrs ...*shopify.Address) string {
	for _, a := range addrs {
		if a != nil && a.CountryCode != "" {
			return a.CountryCode
		}
	}
	return ""
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a.UTC()
	}
	return b.UTC()
}
