package app

import (
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// StorefrontEventOf reduces one customer event of a /collect batch to what
// visits need: the page (path, the query parameters visits read, the
// referrer's host), the device facts, and per event the product, amounts,
// tokens and micro-conversion facts. It copies no personal data of the
// shopper (the envelope's names, e-mail, phone and addresses are never
// read, the query keeps only funnel.KeptQuery's parameters, the referrer
// only its host). An amount that is not a valid price reads as 0.
func StorefrontEventOf(e shopify.CustomerEvent) funnel.StorefrontEvent {
	var m pageMemo
	return m.storefrontEvent(e)
}

// pageMemo remembers the last page's query and referrer as reduced: a
// batch's events mostly come from one page and share both, and parsing
// them was a few per cent of /collect's time. Its zero value is right:
// an empty query and referrer reduce to "".
type pageMemo struct {
	search, query, referrer, host string
}

func (m *pageMemo) keptQuery(search string) string {
	if search != m.search {
		m.search, m.query = search, funnel.KeptQuery(search)
	}
	return m.query
}

func (m *pageMemo) referrerHost(referrer string) string {
	if referrer != m.referrer {
		m.referrer, m.host = referrer, funnel.ReferrerHost(referrer)
	}
	return m.host
}

// storefrontEvent is StorefrontEventOf through the memo.
func (m *pageMemo) storefrontEvent(e shopify.CustomerEvent) funnel.StorefrontEvent {
	loc := e.Location()
	out := funnel.StorefrontEvent{
		ID:           e.ID,
		ClientID:     e.ClientID,
		Name:         e.Name,
		At:           e.Timestamp.UTC(),
		Host:         loc.Host,
		Path:         loc.Pathname,
		Query:        m.keptQuery(loc.Search),
		ReferrerHost: m.referrerHost(e.Referrer()),
		UserAgent:    e.UserAgent(),
		InnerWidth:   e.InnerWidth(),
	}
	amount := func(m shopify.Money) {
		if v, err := funnel.ParseAmount(m.Amount); err == nil && v > 0 {
			out.Value, out.Currency = v, m.CurrencyCode
		}
	}
	switch e.Name {
	case funnel.EventProductViewed:
		p := e.ProductVariant()
		out.ProductID, out.ProductTitle = p.ID, p.Title
	case funnel.EventProductAddedToCart:
		l := e.CartLine()
		out.ProductID, out.ProductTitle, out.Quantity = l.Merchandise.ID, l.Merchandise.Title, l.Quantity
		amount(l.Total)
	case funnel.EventCartViewed, funnel.EventCart:
		out.CartToken = e.CartToken()
	case funnel.EventScrollDepth:
		out.ScrollPercent = e.Percent()
	case funnel.EventAlertDisplayed:
		out.AlertType = e.AlertType()
	}
	if tok := e.CheckoutToken(); tok != "" {
		out.CheckoutToken = tok
		if out.Value == 0 {
			amount(e.CheckoutTotal())
		}
		if ts := e.Transactions(); len(ts) > 0 {
			out.Gateway = ts[0].Gateway
			out.PaymentMethod = ts[0].PaymentMethodType
			if out.PaymentMethod == "" {
				out.PaymentMethod = ts[0].PaymentMethodName
			}
		}
	}
	return out
}
