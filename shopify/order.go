package shopify

// Order source names that do not come from the online store's checkout.
const (
	SourceNamePOS        = "pos"
	SourceNameDraftOrder = "shopify_draft_order"
)

// StorefrontOrder reports whether the order came through a storefront cart
// or checkout, and so belongs in the funnel: point-of-sale and draft orders,
// and orders with neither cart nor checkout token, do not.
func (o Order) StorefrontOrder() bool {
	switch o.SourceName {
	case SourceNamePOS, SourceNameDraftOrder:
		return false
	}
	return o.CartToken != "" || o.CheckoutToken != ""
}
