package shopify

// Currency returns the cart's shop currency, read from its first line item
// (carts have no top-level currency), or "" for an empty cart.
func (c Cart) Currency() string {
	for _, li := range c.LineItems {
		if cur := li.Currency(); cur != "" {
			return cur
		}
	}
	return ""
}

// RequiresShipping reports whether any line of the checkout needs shipping.
func (c Checkout) RequiresShipping() bool {
	for _, li := range c.LineItems {
		if li.RequiresShipping {
			return true
		}
	}
	return false
}
