package shopify

import (
	"strings"
	"unicode/utf8"
)

// The parts of a customer event's context, data and customData that the
// app reads, decoded leniently (loose types): a field of another JSON type
// than expected, or an object where a string was expected, reads as
// absent. Nothing here holds a customer's name, e-mail, phone or address:
// those fields of Shopify's payloads are never decoded.

type eventContext struct {
	Document  loose[contextDocument]  `json:"document"`
	Navigator loose[contextNavigator] `json:"navigator"`
	Window    loose[contextWindow]    `json:"window"`
}

type contextDocument struct {
	Location loose[contextLocation] `json:"location"`
	Referrer looseString            `json:"referrer"`
}

type contextLocation struct {
	Href     looseString `json:"href"`
	Host     looseString `json:"host"`
	Pathname looseString `json:"pathname"`
	Search   looseString `json:"search"`
}

type contextNavigator struct {
	UserAgent looseString `json:"userAgent"`
}

type contextWindow struct {
	InnerWidth looseInt `json:"innerWidth"`
}

type moneyV2 struct {
	Amount       looseAmount `json:"amount"`
	CurrencyCode looseString `json:"currencyCode"`
}

type pixelProduct struct {
	ID    looseString `json:"id"`
	Title looseString `json:"title"`
	Type  looseString `json:"type"`
}

type pixelVariant struct {
	ID      looseString         `json:"id"`
	Title   looseString         `json:"title"`
	Price   loose[moneyV2]      `json:"price"`
	Product loose[pixelProduct] `json:"product"`
}

type pixelCost struct {
	TotalAmount loose[moneyV2] `json:"totalAmount"`
}

type pixelCartLine struct {
	Merchandise loose[pixelVariant] `json:"merchandise"`
	Quantity    looseInt            `json:"quantity"`
	Cost        loose[pixelCost]    `json:"cost"`
}

type pixelCart struct {
	ID   looseString      `json:"id"`
	Cost loose[pixelCost] `json:"cost"`
}

type pixelPaymentMethod struct {
	Name looseString `json:"name"`
	Type looseString `json:"type"`
}

type pixelTransaction struct {
	Gateway       looseString               `json:"gateway"`
	PaymentMethod loose[pixelPaymentMethod] `json:"paymentMethod"`
	Amount        loose[moneyV2]            `json:"amount"`
}

type pixelCheckout struct {
	Token        looseString                      `json:"token"`
	TotalPrice   loose[moneyV2]                   `json:"totalPrice"`
	CurrencyCode looseString                      `json:"currencyCode"`
	Transactions loose[[]loose[pixelTransaction]] `json:"transactions"`
}

type pixelAlert struct {
	Type looseString `json:"type"`
}

type eventData struct {
	ProductVariant loose[pixelVariant]  `json:"productVariant"`
	CartLine       loose[pixelCartLine] `json:"cartLine"`
	Cart           loose[pixelCart]     `json:"cart"`
	Checkout       loose[pixelCheckout] `json:"checkout"`
	Alert          loose[pixelAlert]    `json:"alert"`
}

type customData struct {
	Percent looseInt    `json:"percent"`
	Token   looseString `json:"token"`
}

// Length limits of the strings the accessors return: longer values are
// cut (at a character boundary).
const (
	maxURLText   = 2048
	maxAgentText = 512
	maxFieldText = 255
)

// clip cuts s to at most n bytes without splitting a character, and makes
// it storable: valid UTF-8, no NUL.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Location is context.document.location: the page the event happened on.
type Location struct {
	Href     string
	Host     string
	Pathname string
	// Search is the query string with its leading "?", or "".
	Search string
}

// Location returns the event's page, zero when the event has no context
// (DOM events have none).
func (e CustomerEvent) Location() Location {
	l := e.ctx.Document.V.Location.V
	return Location{
		Href:     clip(string(l.Href), maxURLText),
		Host:     clip(string(l.Host), maxFieldText),
		Pathname: clip(string(l.Pathname), maxURLText),
		Search:   clip(string(l.Search), maxURLText),
	}
}

// Referrer returns context.document.referrer, "" when none.
func (e CustomerEvent) Referrer() string {
	return clip(string(e.ctx.Document.V.Referrer), maxURLText)
}

// UserAgent returns context.navigator.userAgent.
func (e CustomerEvent) UserAgent() string {
	return clip(string(e.ctx.Navigator.V.UserAgent), maxAgentText)
}

// InnerWidth returns context.window.innerWidth in CSS pixels, 0 when
// unknown or out of range.
func (e CustomerEvent) InnerWidth() int {
	w := int64(e.ctx.Window.V.InnerWidth)
	if w <= 0 || w > 100_000 {
		return 0
	}
	return int(w)
}

// money returns a pixel MoneyV2 as a Money: the amount as a decimal string
// ("19.99"; the pixel sends a JSON number, kept as written, which
// funnel.ParseAmount rounds to minor units) and the currency code.
func (m moneyV2) money() Money {
	return Money{Amount: clip(string(m.Amount), 64), CurrencyCode: clip(string(m.CurrencyCode), 8)}
}

// EventProduct is a product variant of an event: the product's id, title
// and type, the variant's id, title and price.
type EventProduct struct {
	ID           string
	Title        string
	Type         string
	VariantID    string
	VariantTitle string
	Price        Money
}

func (v pixelVariant) product() EventProduct {
	p := v.Product.V
	return EventProduct{
		ID:           clip(string(p.ID), maxFieldText),
		Title:        clip(string(p.Title), maxFieldText),
		Type:         clip(string(p.Type), maxFieldText),
		VariantID:    clip(string(v.ID), maxFieldText),
		VariantTitle: clip(string(v.Title), maxFieldText),
		Price:        v.Price.V.money(),
	}
}

// ProductVariant returns data.productVariant (product_viewed).
func (e CustomerEvent) ProductVariant() EventProduct { return e.data.ProductVariant.V.product() }

// CartLine is data.cartLine (product_added_to_cart,
// product_removed_from_cart): the variant, the quantity and the line's
// total.
type CartLine struct {
	Merchandise EventProduct
	Quantity    int
	Total       Money
}

// CartLine returns data.cartLine.
func (e CustomerEvent) CartLine() CartLine {
	l := e.data.CartLine.V
	q := int64(l.Quantity)
	if q < 0 || q > 1_000_000 {
		q = 0
	}
	return CartLine{Merchandise: l.Merchandise.V.product(), Quantity: int(q), Total: l.Cost.V.TotalAmount.V.money()}
}

// CartID returns data.cart.id (cart_viewed), a Storefront API cart GID
// such as gid://shopify/Cart/<token>?key=….
func (e CustomerEvent) CartID() string { return clip(string(e.data.Cart.V.ID), maxURLText) }

// CartToken returns the cart token of the event: of data.cart.id
// (cart_viewed) or of customData.token (the embed's funnelscope:cart),
// read by CartTokenOf. "" when the event has neither.
func (e CustomerEvent) CartToken() string {
	if id := e.CartID(); id != "" {
		return CartTokenOf(id)
	}
	return CartTokenOf(e.CustomToken())
}

// CartTokenOf returns the cart token, the join key of the carts/* and
// checkout webhooks' cart token, of a pixel cart id
// ("gid://shopify/Cart/<token>?key=…") or a /cart.js token
// ("<token>?key=…"): the part before "?key=". The key is never kept. ""
// for anything else (another GID, a token with a slash or a space, over
// 255 bytes).
func CartTokenOf(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "gid://") {
		var ok bool
		if s, ok = strings.CutPrefix(s, "gid://shopify/Cart/"); !ok {
			return ""
		}
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if s == "" || len(s) > maxFieldText || strings.ContainsAny(s, "/ \t\n") {
		return ""
	}
	return s
}

// CheckoutToken returns data.checkout.token: the checkout webhook's token
// and the order's checkout_token.
func (e CustomerEvent) CheckoutToken() string {
	return clip(string(e.data.Checkout.V.Token), maxFieldText)
}

// CheckoutTotal returns data.checkout.totalPrice (with the checkout's
// currencyCode when the amount has none).
func (e CustomerEvent) CheckoutTotal() Money {
	c := e.data.Checkout.V
	m := c.TotalPrice.V.money()
	if m.CurrencyCode == "" {
		m.CurrencyCode = clip(string(c.CurrencyCode), 8)
	}
	return m
}

// Transaction is one of data.checkout.transactions: the gateway, the
// payment method's name and type, the amount.
type Transaction struct {
	Gateway           string
	PaymentMethodName string
	PaymentMethodType string
	Amount            Money
}

// Transactions returns data.checkout.transactions (checkout_completed).
func (e CustomerEvent) Transactions() []Transaction {
	var out []Transaction
	for _, t := range e.data.Checkout.V.Transactions.V {
		pm := t.V.PaymentMethod.V
		out = append(out, Transaction{
			Gateway:           clip(string(t.V.Gateway), maxFieldText),
			PaymentMethodName: clip(string(pm.Name), maxFieldText),
			PaymentMethodType: clip(string(pm.Type), maxFieldText),
			Amount:            t.V.Amount.V.money(),
		})
	}
	return out
}

// AlertType returns data.alert.type (alert_displayed): PaymentError,
// ContactError, … The alert's message and value are never read.
func (e CustomerEvent) AlertType() string { return clip(string(e.data.Alert.V.Type), maxFieldText) }

// Percent returns customData.percent (funnelscope:scroll_depth), 0 when
// absent or outside 0–100.
func (e CustomerEvent) Percent() int {
	p := int64(e.custom.Percent)
	if p < 0 || p > 100 {
		return 0
	}
	return int(p)
}

// CustomToken returns customData.token as sent (funnelscope:cart: the
// /cart.js token, "<token>?key=…"); CartToken is its join key.
func (e CustomerEvent) CustomToken() string { return clip(string(e.custom.Token), maxFieldText) }
