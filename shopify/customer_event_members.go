package shopify

// The member methods read the parts of context, data and customData that
// customer_event_fields.go declares, by the walker's lenient rules (a
// value of another type reads as absent); every other member is skipped
// unread. Names match exactly (case-sensitive), as Shopify writes them.

func (c *eventContext) member(w *walker, name []byte) error {
	switch string(name) {
	case "document":
		return w.object(&c.Document.V)
	case "navigator":
		return w.object(&c.Navigator.V)
	case "window":
		return w.object(&c.Window.V)
	}
	return w.skip()
}

func (c *contextDocument) member(w *walker, name []byte) error {
	switch string(name) {
	case "location":
		return w.object(&c.Location.V)
	case "referrer":
		return w.looseString(&c.Referrer)
	}
	return w.skip()
}

func (l *contextLocation) member(w *walker, name []byte) error {
	switch string(name) {
	case "href":
		return w.looseString(&l.Href)
	case "host":
		return w.looseString(&l.Host)
	case "pathname":
		return w.looseString(&l.Pathname)
	case "search":
		return w.looseString(&l.Search)
	}
	return w.skip()
}

func (n *contextNavigator) member(w *walker, name []byte) error {
	if string(name) == "userAgent" {
		return w.looseString(&n.UserAgent)
	}
	return w.skip()
}

func (c *contextWindow) member(w *walker, name []byte) error {
	if string(name) == "innerWidth" {
		return w.looseInt(&c.InnerWidth)
	}
	return w.skip()
}

func (m *moneyV2) member(w *walker, name []byte) error {
	switch string(name) {
	case "amount":
		return w.looseAmount(&m.Amount)
	case "currencyCode":
		return w.looseString(&m.CurrencyCode)
	}
	return w.skip()
}

func (p *pixelProduct) member(w *walker, name []byte) error {
	switch string(name) {
	case "id":
		return w.looseString(&p.ID)
	case "title":
		return w.looseString(&p.Title)
	case "type":
		return w.looseString(&p.Type)
	}
	return w.skip()
}

func (v *pixelVariant) member(w *walker, name []byte) error {
	switch string(name) {
	case "id":
		return w.looseString(&v.ID)
	case "title":
		return w.looseString(&v.Title)
	case "price":
		return w.object(&v.Price.V)
	case "product":
		return w.object(&v.Product.V)
	}
	return w.skip()
}

func (c *pixelCost) member(w *walker, name []byte) error {
	if string(name) == "totalAmount" {
		return w.object(&c.TotalAmount.V)
	}
	return w.skip()
}

func (l *pixelCartLine) member(w *walker, name []byte) error {
	switch string(name) {
	case "merchandise":
		return w.object(&l.Merchandise.V)
	case "quantity":
		return w.looseInt(&l.Quantity)
	case "cost":
		return w.object(&l.Cost.V)
	}
	return w.skip()
}

func (c *pixelCart) member(w *walker, name []byte) error {
	switch string(name) {
	case "id":
		return w.looseString(&c.ID)
	case "cost":
		return w.object(&c.Cost.V)
	}
	return w.skip()
}

func (p *pixelPaymentMethod) member(w *walker, name []byte) error {
	switch string(name) {
	case "name":
		return w.looseString(&p.Name)
	case "type":
		return w.looseString(&p.Type)
	}
	return w.skip()
}

func (t *pixelTransaction) member(w *walker, name []byte) error {
	switch string(name) {
	case "gateway":
		return w.looseString(&t.Gateway)
	case "paymentMethod":
		return w.object(&t.PaymentMethod.V)
	case "amount":
		return w.object(&t.Amount.V)
	}
	return w.skip()
}

func (c *pixelCheckout) member(w *walker, name []byte) error {
	switch string(name) {
	case "token":
		return w.looseString(&c.Token)
	case "totalPrice":
		return w.object(&c.TotalPrice.V)
	case "currencyCode":
		return w.looseString(&c.CurrencyCode)
	case "transactions":
		// An array of transactions; an element that is not an object is
		// an empty transaction (it keeps its place), anything but an
		// array is none.
		if w.peek() != '[' {
			return w.skip()
		}
		c.Transactions.V = []loose[pixelTransaction]{}
		return w.elements(func() error {
			c.Transactions.V = append(c.Transactions.V, loose[pixelTransaction]{})
			return w.object(&c.Transactions.V[len(c.Transactions.V)-1].V)
		})
	}
	return w.skip()
}

func (a *pixelAlert) member(w *walker, name []byte) error {
	if string(name) == "type" {
		return w.looseString(&a.Type)
	}
	return w.skip()
}

func (d *eventData) member(w *walker, name []byte) error {
	switch string(name) {
	case "productVariant":
		return w.object(&d.ProductVariant.V)
	case "cartLine":
		return w.object(&d.CartLine.V)
	case "cart":
		return w.object(&d.Cart.V)
	case "checkout":
		return w.object(&d.Checkout.V)
	case "alert":
		return w.object(&d.Alert.V)
	}
	return w.skip()
}

func (c *customData) member(w *walker, name []byte) error {
	switch string(name) {
	case "percent":
		return w.looseInt(&c.Percent)
	case "token":
		return w.looseString(&c.Token)
	}
	return w.skip()
}

// The kinds object reads (a compile-time check that every part is one).
var _ = [...]looseMembers{
	(*eventContext)(nil), (*contextDocument)(nil), (*contextLocation)(nil), (*contextNavigator)(nil),
	(*contextWindow)(nil), (*moneyV2)(nil), (*pixelProduct)(nil), (*pixelVariant)(nil), (*pixelCost)(nil),
	(*pixelCartLine)(nil), (*pixelCart)(nil), (*pixelPaymentMethod)(nil), (*pixelTransaction)(nil),
	(*pixelCheckout)(nil), (*pixelAlert)(nil), (*eventData)(nil), (*customData)(nil),
}
