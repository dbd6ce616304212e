package shopify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ErrUnknownTopic is returned by ParsePayload for a topic it has no type for.
var ErrUnknownTopic = errors.New("shopify: unknown webhook topic")

// ParseCart decodes a carts/create or carts/update body. It requires a token.
func ParseCart(body []byte) (Cart, error) {
	var w struct {
		Cart
		// Carts never have one; checkouts and orders do.
		CartToken json.RawMessage `json:"cart_token"`
	}
	if err := decodePayload(body, &w); err != nil {
		return Cart{}, err
	}
	c := w.Cart
	if c.Token == "" {
		return Cart{}, badPayload("cart has no token")
	}
	if w.CartToken != nil {
		return Cart{}, badPayload("body has a cart_token: a checkout or order, not a cart")
	}
	if err := checkLineItems(c.LineItems); err != nil {
		return Cart{}, err
	}
	return c, nil
}

// ParseCheckout decodes a checkouts/create or checkouts/update body. It
// requires a token.
func ParseCheckout(body []byte) (Checkout, error) {
	var w struct {
		Checkout
		// Orders have these, checkouts never.
		CheckoutToken json.RawMessage `json:"checkout_token"`
		OrderNumber   json.RawMessage `json:"order_number"`
	}
	if err := decodePayload(body, &w); err != nil {
		return Checkout{}, err
	}
	c := w.Checkout
	if c.Token == "" {
		return Checkout{}, badPayload("checkout has no token")
	}
	if w.CheckoutToken != nil || w.OrderNumber != nil {
		return Checkout{}, badPayload("body has checkout_token or order_number: an order, not a checkout")
	}
	if err := checkMoney("total_price", c.TotalPrice, "subtotal_price", c.SubtotalPrice); err != nil {
		return Checkout{}, err
	}
	for _, sl := range c.ShippingLines {
		if err := checkMoney("shipping_lines.price", sl.Price); err != nil {
			return Checkout{}, err
		}
	}
	if err := checkLineItems(c.LineItems); err != nil {
		return Checkout{}, err
	}
	return c, nil
}

// ParseCheckoutDelete decodes a checkouts/delete body. It requires an id or
// a token.
func ParseCheckoutDelete(body []byte) (CheckoutDelete, error) {
	var c CheckoutDelete
	if err := decodePayload(body, &c); err != nil {
		return CheckoutDelete{}, err
	}
	if c.ID <= 0 && c.Token == "" {
		return CheckoutDelete{}, badPayload("deleted checkout has neither id nor token")
	}
	return c, nil
}

// ParseOrder decodes an orders/create body. It requires an id.
func ParseOrder(body []byte) (Order, error) {
	var o Order
	if err := decodePayload(body, &o); err != nil {
		return Order{}, err
	}
	if o.ID <= 0 {
		return Order{}, badPayload("order has no id")
	}
	if err := checkMoney("total_price", o.TotalPrice, "subtotal_price", o.SubtotalPrice); err != nil {
		return Order{}, err
	}
	if err := checkLineItems(o.LineItems); err != nil {
		return Order{}, err
	}
	return o, nil
}

// ParseAppUninstalled decodes an app/uninstalled body. It requires the shop id.
func ParseAppUninstalled(body []byte) (AppUninstalled, error) {
	var a AppUninstalled
	if err := decodePayload(body, &a); err != nil {
		return AppUninstalled{}, err
	}
	if a.ID <= 0 {
		return AppUninstalled{}, badPayload("shop has no id")
	}
	return a, nil
}

// ParseAppScopesUpdate decodes an app/scopes_update body. It requires shop_id.
func ParseAppScopesUpdate(body []byte) (AppScopesUpdate, error) {
	var a AppScopesUpdate
	if err := decodePayload(body, &a); err != nil {
		return AppScopesUpdate{}, err
	}
	if a.ShopID == "" {
		return AppScopesUpdate{}, badPayload("scopes update has no shop_id")
	}
	return a, nil
}

// ParseCustomersDataRequest decodes a customers/data_request body. It
// requires shop_domain.
func ParseCustomersDataRequest(body []byte) (CustomersDataRequest, error) {
	var r CustomersDataRequest
	if err := decodePayload(body, &r); err != nil {
		return CustomersDataRequest{}, err
	}
	if r.ShopDomain == "" {
		return CustomersDataRequest{}, badPayload("data request has no shop_domain")
	}
	return r, nil
}

// ParseCustomersRedact decodes a customers/redact body. It requires
// shop_domain.
func ParseCustomersRedact(body []byte) (CustomersRedact, error) {
	var r CustomersRedact
	if err := decodePayload(body, &r); err != nil {
		return CustomersRedact{}, err
	}
	if r.ShopDomain == "" {
		return CustomersRedact{}, badPayload("customer redaction has no shop_domain")
	}
	return r, nil
}

// ParseTheme decodes a themes/publish body. It requires the theme's id.
func ParseTheme(body []byte) (Theme, error) {
	var th Theme
	if err := decodePayload(body, &th); err != nil {
		return Theme{}, err
	}
	if th.ID <= 0 {
		return Theme{}, badPayload("theme has no id")
	}
	return th, nil
}

// ParseShopRedact decodes a shop/redact body. It requires shop_domain.
func ParseShopRedact(body []byte) (ShopRedact, error) {
	var r ShopRedact
	if err := decodePayload(body, &r); err != nil {
		return ShopRedact{}, err
	}
	if r.ShopDomain == "" {
		return ShopRedact{}, badPayload("shop redaction has no shop_domain")
	}
	return r, nil
}

// ParsePayload decodes body with the parser for topic ("carts/create" form)
// and returns the value (Cart, Checkout, CheckoutDelete, Order,
// AppUninstalled, AppScopesUpdate, CustomersDataRequest, CustomersRedact,
// ShopRedact, Theme, Product or Discount). An unhandled topic yields ErrUnknownTopic.
func ParsePayload(topic string, body []byte) (any, error) {
	switch topic {
	case TopicCartsCreate, TopicCartsUpdate:
		return ParseCart(body)
	case TopicCheckoutsCreate, TopicCheckoutsUpdate:
		return ParseCheckout(body)
	case TopicCheckoutsDelete:
		return ParseCheckoutDelete(body)
	case TopicOrdersCreate:
		return ParseOrder(body)
	case TopicAppUninstalled:
		return ParseAppUninstalled(body)
	case TopicAppScopesUpdate:
		return ParseAppScopesUpdate(body)
	case TopicCustomersDataRequest:
		return ParseCustomersDataRequest(body)
	case TopicCustomersRedact:
		return ParseCustomersRedact(body)
	case TopicShopRedact:
		return ParseShopRedact(body)
	case TopicThemesPublish:
		return ParseTheme(body)
	case TopicProductsUpdate:
		return ParseProduct(body)
	case TopicDiscountsCreate, TopicDiscountsUpdate, TopicDiscountsDelete:
		return ParseDiscount(body)
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownTopic, truncateForError(topic))
}

func badPayload(reason string) error {
	return fmt.Errorf("%w: %s", ErrBadPayload, reason)
}

// decodePayload unmarshals a JSON object into v; wrong JSON types, trailing
// data and non-object bodies are errors wrapping ErrBadPayload. The text it
// decodes is storable: valid UTF-8 (invalid bytes become U+FFFD) without
// NUL characters (dropped).
func decodePayload(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return badPayload("body is not a JSON object")
	}
	// encoding/json/v2's decoder, at half the cost of encoding/json's: these
	// bodies are most of a webhook's work. Like encoding/json it tolerates
	// repeated names and invalid UTF-8; unlike it, names match exactly, as
	// Shopify writes them.
	err := jsonv2.Unmarshal(trimmed, v, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	dropNULs(trimmed, v)
	return nil
}

// checkMoney validates name/value pairs of optional money strings.
func checkMoney(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		if !ValidMoney(pairs[i+1]) {
			return fmt.Errorf("%w: %s %q is not a decimal amount", ErrBadPayload, pairs[i], truncateForError(pairs[i+1]))
		}
	}
	return nil
}

func checkLineItems(items []LineItem) error {
	for _, li := range items {
		if li.Quantity < 0 {
			return badPayload("line item with a negative quantity")
		}
		if err := checkMoney("line_items.price", li.Price, "line_items.line_price", li.LinePrice); err != nil {
			return err
		}
	}
	return nil
}
