package app

import (
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// eventFromPayload reads a cart, checkout or order body into a funnel event.
// A non-empty reason says why the body cannot be used; a nil event with no
// reason is an order that is not part of any storefront journey. Its text
// is storable (the payload parser sees to that); every time the payload
// carries must be plausible at now, and every amount and quantity within
// the funnel's bounds.
func eventFromPayload(topic string, body []byte, now time.Time) (*funnel.Event, string) {
	parsed, err := shopify.ParsePayload(topic, body)
	if err != nil {
		return nil, err.Error()
	}
	for _, t := range shopify.PayloadTimes(parsed) {
		if !plausibleTime(t.Time, now) {
			return nil, fmt.Sprintf("%s %s is implausible", t.Name, t.Time.UTC().Format(time.RFC3339))
		}
	}
	switch p := parsed.(type) {
	case shopify.Cart:
		return cartEvent(p)
	case shopify.Checkout:
		return checkoutEvent(p)
	case shopify.Order:
		if !p.StorefrontOrder() {
			return nil, ""
		}
		return orderEvent(p)
	}
	return nil, "not a cart, checkout or order topic"
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
		if li.LinePrice == "" && li.Price == "" {
			return nil, "a line of the cart has no price"
		}
		amount, reason := addLine(ev, li)
		if reason != "" {
			return nil, reason
		}
		sum, ok := funnel.AddAmount(ev.Value, amount)
		if !ok || funnel.CheckAmount(sum) != nil {
			return nil, "the cart's lines add up to more than " + funnel.FormatMoney(funnel.MaxAmount) + ", the largest plausible amount"
		}
		ev.Value = sum
	}
	return requireTimes(ev)
}

func checkoutEvent(c shopify.Checkout) (*funnel.Event, string) {
	value, reason := moneyOf("total_price", c.TotalPrice, "subtotal_price", c.SubtotalPrice)
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
		if _, reason := addLine(ev, li); reason != "" {
			return nil, reason
		}
	}
	return requireTimes(ev)
}

func orderEvent(o shopify.Order) (*funnel.Event, string) {
	value, reason := moneyOf("total_price", o.TotalPrice, "subtotal_price", o.SubtotalPrice)
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
		if _, reason := addLine(ev, li); reason != "" {
			return nil, reason
		}
	}
	return requireTimes(ev)
}

// addLine adds a line's items to ev and returns the line's value: its
// line_price, or price × quantity when the payload has none (orders). A
// reason says the line is out of bounds: a quantity above
// funnel.MaxQuantity, items above funnel.MaxItems in all, or a price that
// is negative, too large or overflows when multiplied.
func addLine(ev *funnel.Event, li shopify.LineItem) (int64, string) {
	if li.Quantity > funnel.MaxQuantity {
		return 0, fmt.Sprintf("line_items.quantity %d is above %d, the most one line can plausibly hold", li.Quantity, funnel.MaxQuantity)
	}
	if ev.ItemCount+int(li.Quantity) > funnel.MaxItems {
		return 0, fmt.Sprintf("the lines hold more than %d items, the most one cart can plausibly hold", funnel.MaxItems)
	}
	price, reason := amountOf("line_items.price", li.Price)
	if reason != "" {
		return 0, reason
	}
	value, reason := amountOf("line_items.line_price", li.LinePrice)
	if reason != "" {
		return 0, reason
	}
	if li.LinePrice == "" {
		v, ok := funnel.MulAmount(price, li.Quantity)
		if !ok || funnel.CheckAmount(v) != nil {
			return 0, fmt.Sprintf("line_items.price %s × quantity %d is more than %s, the largest plausible amount",
				funnel.FormatMoney(price), li.Quantity, funnel.FormatMoney(funnel.MaxAmount))
		}
		value = v
	}
	ev.ItemCount += int(li.Quantity)
	ev.LineItems = append(ev.LineItems, funnel.LineItem{Title: li.Title, Quantity: int(li.Quantity)})
	return value, ""
}

// amountOf reads an optional amount of the payload named name (its JSON
// field), within the funnel's bounds; "" reads as 0.
func amountOf(name, s string) (int64, string) {
	if s == "" {
		return 0, ""
	}
	v, err := funnel.ParseAmount(s)
	if err != nil {
		return 0, name + ": " + err.Error()
	}
	return v, ""
}

// moneyOf reads the first of amounts (name, value pairs) present, after
// checking each of them.
func moneyOf(amounts ...string) (int64, string) {
	var first int64
	found := false
	for i := 0; i+1 < len(amounts); i += 2 {
		if amounts[i+1] == "" {
			continue
		}
		v, reason := amountOf(amounts[i], amounts[i+1])
		if reason != "" {
			return 0, reason
		}
		if !found {
			first, found = v, true
		}
	}
	return first, ""
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
