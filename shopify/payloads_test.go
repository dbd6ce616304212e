package shopify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func check[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

func TestParseCartFixtures(t *testing.T) {
	for _, name := range []string{"carts_create.json", "carts_update.json"} {
		t.Run(name, func(t *testing.T) {
			c, err := shopify.ParseCart(testkit.Fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			check(t, "ID", c.ID, "exampleCartId")
			check(t, "Token", c.Token, "exampleCartId")
			check(t, "CreatedAt", c.CreatedAt.Equal(mustTime(t, "2022-01-01T00:00:00Z")), true)
			check(t, "UpdatedAt", c.UpdatedAt.Equal(mustTime(t, "2022-01-01T00:00:00Z")), true)
			if len(c.LineItems) != 1 {
				t.Fatalf("line items = %d, want 1", len(c.LineItems))
			}
			li := c.LineItems[0]
			check(t, "line id", li.ID, int64(704912205188288575)) // > 2^53: would lose digits via float64
			check(t, "variant id", li.VariantID, int64(704912205188288575))
			check(t, "product id", li.ProductID, int64(788032119674292922))
			check(t, "title", li.Title, "Example T-Shirt - Small")
			check(t, "quantity", li.Quantity, int64(3))
			check(t, "line_price", li.LinePrice, "59.97")
			check(t, "price", li.Price, "19.99")
			check(t, "currency", li.Currency(), "USD")
			check(t, "cart currency", c.Currency(), "USD")
		})
	}
}

func TestParseCheckoutFixtures(t *testing.T) {
	for _, name := range []string{"checkouts_create.json", "checkouts_update.json"} {
		t.Run(name, func(t *testing.T) {
			c, err := shopify.ParseCheckout(testkit.Fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			check(t, "ID (absent)", c.ID, int64(0))
			check(t, "Token", c.Token, "123123123")
			check(t, "CartToken", c.CartToken, "eeafa272cebfd4b22385bc4b645e762c")
			check(t, "Email", c.Email, "example@email.com")
			check(t, "Phone", c.Phone, "")
			check(t, "Gateway", c.Gateway, "")
			check(t, "CreatedAt", c.CreatedAt.Equal(mustTime(t, "2022-01-01T00:00:00Z")), true)
			check(t, "CompletedAt zero", c.CompletedAt.IsZero(), true)
			check(t, "Currency", c.Currency, "USD")
			check(t, "TotalPrice", c.TotalPrice, "421.88")
			check(t, "SubtotalPrice", c.SubtotalPrice, "398.00")
			check(t, "SourceName", c.SourceName, "web")
			check(t, "LandingSite", c.LandingSite, "")
			check(t, "AbandonedCheckoutURL", c.AbandonedCheckoutURL, "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token")
			check(t, "shipping lines", len(c.ShippingLines), 0)
			if c.ShippingAddress == nil || c.BillingAddress == nil || c.Customer == nil {
				t.Fatal("shipping_address, billing_address and customer must be decoded")
			}
			check(t, "ship address1", c.ShippingAddress.Address1, "123 Shipping Street")
			check(t, "ship zip", c.ShippingAddress.Zip, "K2P0S0")
			check(t, "ship country_code", c.ShippingAddress.CountryCode, "US")
			check(t, "ship country", c.ShippingAddress.Country, "United States")
			check(t, "bill address1", c.BillingAddress.Address1, "123 Billing Street")
			check(t, "customer id", c.Customer.ID, int64(603851970716743426))
			check(t, "customer email", c.Customer.Email, "john@example.com")
			check(t, "line items", len(c.LineItems), 2)
			check(t, "li title", c.LineItems[0].Title, "IPod Nano - 8GB")
			check(t, "li quantity", c.LineItems[0].Quantity, int64(1))
			check(t, "li line_price", c.LineItems[0].LinePrice, "199.00")
			check(t, "li requires_shipping", c.LineItems[0].RequiresShipping, true)
			check(t, "requires shipping", c.RequiresShipping(), true)
		})
	}
}

func TestParseCheckoutRESTFixture(t *testing.T) {
	c, err := shopify.ParseCheckout(testkit.Fixture(t, "checkouts_create.rest-abandoned-checkout-fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "ID", c.ID, int64(450789469))
	check(t, "Token", c.Token, "2a1ace52255252df566af0faaedfbfa7")
	check(t, "CartToken", c.CartToken, "68778783ad298f1c80c3bafcddeea02f")
	check(t, "Email", c.Email, "bob.norman@mail.example.com")
	check(t, "CreatedAt", c.CreatedAt.Equal(mustTime(t, "2012-10-12T11:05:27Z")), true)
	check(t, "TotalPrice", c.TotalPrice, "379.69")
	check(t, "AbandonedCheckoutURL", c.AbandonedCheckoutURL, "https://checkout.local/548380009/checkouts/2a1ace52255252df566af0faaedfbfa7/recover")
	if len(c.ShippingLines) != 1 {
		t.Fatalf("shipping lines = %d, want 1", len(c.ShippingLines))
	}
	check(t, "shipping title", c.ShippingLines[0].Title, "Free Shipping")
	check(t, "shipping price", c.ShippingLines[0].Price, "0.00")
	check(t, "customer phone", c.Customer.Phone, "+16136120707")
	check(t, "customer id", c.Customer.ID, int64(207119551))
	check(t, "ship zip", c.ShippingAddress.Zip, "40202")
}

func TestParseCheckoutDeleteFixture(t *testing.T) {
	d, err := shopify.ParseCheckoutDelete(testkit.Fixture(t, "checkouts_delete.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "ID", d.ID, int64(981820079255243537))
	check(t, "CartToken", d.CartToken, "eeafa272cebfd4b22385bc4b645e762c")
	check(t, "TotalPrice", d.TotalPrice, "398.00")
	check(t, "PresentmentCurrency", d.PresentmentCurrency, "USD")
}

func TestParseOrderFixtures(t *testing.T) {
	o, err := shopify.ParseOrder(testkit.Fixture(t, "orders_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "ID", o.ID, int64(820982911946154508))
	check(t, "CartToken", o.CartToken, "")
	check(t, "CheckoutToken", o.CheckoutToken, "")
	check(t, "CheckoutID", o.CheckoutID, int64(0))
	check(t, "CreatedAt", o.CreatedAt.Equal(mustTime(t, "2022-01-01T00:00:00Z")), true)
	check(t, "ProcessedAt", o.ProcessedAt.Equal(mustTime(t, "2022-01-01T00:00:00Z")), true)
	check(t, "Currency", o.Currency, "USD")
	check(t, "TotalPrice", o.TotalPrice, "404.95")
	check(t, "Email", o.Email, "jon@example.com")
	check(t, "ContactEmail", o.ContactEmail, "jon@example.com")
	check(t, "customer id", o.Customer.ID, int64(115310627314723954))
	check(t, "SourceName", o.SourceName, "web")
	check(t, "gateways", len(o.PaymentGatewayNames), 2)
	check(t, "gateway 0", o.PaymentGatewayNames[0], "visa")
	check(t, "Test", o.Test, true)
	check(t, "line items", len(o.LineItems), 1)
	check(t, "line id", o.LineItems[0].ID, int64(487817672276298554))
	check(t, "line title", o.LineItems[0].Title, "Aviator sunglasses")
	check(t, "line price", o.LineItems[0].Price, "89.99")
	check(t, "line currency", o.LineItems[0].Currency(), "USD")
	check(t, "StorefrontOrder (no tokens)", o.StorefrontOrder(), false)

	r, err := shopify.ParseOrder(testkit.Fixture(t, "orders_create.rest-order-fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "ID", r.ID, int64(450789469))
	check(t, "CartToken", r.CartToken, "68778783ad298f1c80c3bafcddeea02f")
	check(t, "CheckoutToken", r.CheckoutToken, "bd5a8aa1ecd019dd3520ff791ee3a24c")
	check(t, "CheckoutID", r.CheckoutID, int64(901414060))
	check(t, "CreatedAt", r.CreatedAt.Equal(mustTime(t, "2008-01-10T16:00:00Z")), true)
	check(t, "TotalPrice", r.TotalPrice, "598.94")
	check(t, "Phone", r.Phone, "+557734881234")
	check(t, "LandingSite", r.LandingSite, "http://www.example.com?source=abc")
	check(t, "ReferringSite", r.ReferringSite, "http://www.otherexample.com")
	check(t, "Test", r.Test, false)
	check(t, "line items", len(r.LineItems), 3)
	check(t, "StorefrontOrder", r.StorefrontOrder(), true)
}

func TestParseOtherFixtures(t *testing.T) {
	u, err := shopify.ParseAppUninstalled(testkit.Fixture(t, "app_uninstalled.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shop id", u.ID, int64(548380009))
	check(t, "shop name", u.Name, "Super Toys")

	su, err := shopify.ParseAppScopesUpdate(testkit.Fixture(t, "app_scopes_update.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shop_id", su.ShopID, "gid://shopify/Shop/548380009")
	check(t, "current", len(su.Current), 2)

	dr, err := shopify.ParseCustomersDataRequest(testkit.Fixture(t, "customers_data_request.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shop_id", dr.ShopID, int64(954889))
	check(t, "shop_domain", dr.ShopDomain, "{shop}.myshopify.com")
	check(t, "orders requested", len(dr.OrdersRequested), 3)
	check(t, "customer id", dr.Customer.ID, int64(191167))
	check(t, "customer phone", dr.Customer.Phone, "555-625-1199")
	check(t, "data request id", dr.DataRequest.ID, int64(9999))

	cr, err := shopify.ParseCustomersRedact(testkit.Fixture(t, "customers_redact.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "customer email", cr.Customer.Email, "john@example.com")
	check(t, "orders to redact", len(cr.OrdersToRedact), 3)
	check(t, "order 0", cr.OrdersToRedact[0], int64(299938))

	sr, err := shopify.ParseShopRedact(testkit.Fixture(t, "shop_redact.json"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "shop_id", sr.ShopID, int64(954889))
	check(t, "shop_domain", sr.ShopDomain, "{shop}.myshopify.com")
}

func TestParsePayloadEveryFixture(t *testing.T) {
	for name, topic := range fixtureTopics() {
		if _, err := shopify.ParsePayload(topic, testkit.Fixture(t, name)); err != nil {
			t.Errorf("%s as %s: %v", name, topic, err)
		}
	}
	if _, err := shopify.ParsePayload("products/create", []byte(`{}`)); !errors.Is(err, shopify.ErrUnknownTopic) {
		t.Errorf("unknown topic: err = %v, want ErrUnknownTopic", err)
	}
}

func TestParseRejectsWrongShapes(t *testing.T) {
	order := string(testkit.Fixture(t, "orders_create.json"))
	checkout := string(testkit.Fixture(t, "checkouts_create.json"))
	cases := []struct {
		name  string
		parse func([]byte) error
		body  string
	}{
		{"cart without token", parseCart, `{"id":"x","line_items":[]}`},
		{"cart with empty token", parseCart, `{"token":""}`},
		{"cart token is a number", parseCart, `{"token":123}`},
		{"cart line_items not an array", parseCart, `{"token":"t","line_items":{}}`},
		{"cart quantity is a string", parseCart, `{"token":"t","line_items":[{"quantity":"3"}]}`},
		{"cart negative quantity", parseCart, `{"token":"t","line_items":[{"quantity":-1}]}`},
		{"cart line id is a float", parseCart, `{"token":"t","line_items":[{"id":1.5}]}`},
		{"cart garbage price", parseCart, `{"token":"t","line_items":[{"line_price":"12,00"}]}`},
		{"cart bad created_at", parseCart, `{"token":"t","created_at":"yesterday"}`},
		{"cart created_at number", parseCart, `{"token":"t","created_at":1700000000}`},
		{"cart is an array", parseCart, `[{"token":"t"}]`},
		{"cart is null", parseCart, `null`},
		{"cart empty body", parseCart, ``},
		{"cart trailing data", parseCart, `{"token":"t"} {}`},
		{"cart invalid JSON", parseCart, `{"token":"t"`},
		{"order given to cart parser", parseCart, order},
		{"cart with a cart_token", parseCart, `{"token":"t","cart_token":"c"}`},
		{"cart with a null cart_token", parseCart, `{"token":"t","cart_token":null}`},
		{"checkout with an order_number", parseCheckout, `{"token":"t","order_number":1001}`},
		{"checkout with a checkout_token", parseCheckout, `{"token":"t","checkout_token":"c"}`},
		{"checkout names in another case", parseCheckout, `{"Token":"t"}`},
		{"checkout without token", parseCheckout, `{"cart_token":"c","email":"a@b"}`},
		{"checkout email is a bool", parseCheckout, `{"token":"t","email":true}`},
		{"checkout shipping_address is a string", parseCheckout, `{"token":"t","shipping_address":"x"}`},
		{"checkout garbage total", parseCheckout, `{"token":"t","total_price":"1e3"}`},
		{"checkout garbage shipping price", parseCheckout, `{"token":"t","shipping_lines":[{"price":"free"}]}`},
		{"order given to checkout parser", parseCheckout, order},
		{"order without id", parseOrder, `{"checkout_token":"c"}`},
		{"order id is a string", parseOrder, `{"id":"1"}`},
		{"order id overflows int64", parseOrder, `{"id":92233720368547758070}`},
		{"order test is a string", parseOrder, `{"id":1,"test":"false"}`},
		{"order gateways not an array", parseOrder, `{"id":1,"payment_gateway_names":"visa"}`},
		{"checkout given to order parser", parseOrder, checkout},
		{"checkout delete without id or token", parseCheckoutDelete, `{"cart_token":"c"}`},
		{"uninstalled without id", parseAppUninstalled, `{"name":"x"}`},
		{"shop redact without domain", parseShopRedact, `{"shop_id":1}`},
		{"customers redact without domain", parseCustomersRedact, `{"customer":{"id":1}}`},
		{"data request orders not ints", parseCustomersDataRequest, `{"shop_domain":"x","orders_requested":["1"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse([]byte(tc.body))
			if !errors.Is(err, shopify.ErrBadPayload) {
				t.Fatalf("err = %v, want ErrBadPayload", err)
			}
		})
	}
}

func parseCart(b []byte) error     { _, err := shopify.ParseCart(b); return err }
func parseCheckout(b []byte) error { _, err := shopify.ParseCheckout(b); return err }
func parseOrder(b []byte) error    { _, err := shopify.ParseOrder(b); return err }
func parseCheckoutDelete(b []byte) error {
	_, err := shopify.ParseCheckoutDelete(b)
	return err
}
func parseAppUninstalled(b []byte) error {
	_, err := shopify.ParseAppUninstalled(b)
	return err
}
func parseShopRedact(b []byte) error { _, err := shopify.ParseShopRedact(b); return err }
func parseCustomersRedact(b []byte) error {
	_, err := shopify.ParseCustomersRedact(b)
	return err
}
func parseCustomersDataRequest(b []byte) error {
	_, err := shopify.ParseCustomersDataRequest(b)
	return err
}

func TestPayloadTime(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" = zero
	}{
		{`{"token":"t","updated_at":"2022-01-01T00:00:00.000Z"}`, "2022-01-01T00:00:00Z"},
		{`{"token":"t","updated_at":"2021-12-31T19:00:00-05:00"}`, "2022-01-01T00:00:00Z"},
		{`{"token":"t","updated_at":"2025-07-10T16:15:47.123456+02:00"}`, "2025-07-10T14:15:47.123456Z"},
		{`{"token":"t","updated_at":null}`, ""},
		{`{"token":"t","updated_at":""}`, ""},
		{`{"token":"t"}`, ""},
	}
	for _, tc := range cases {
		c, err := shopify.ParseCart([]byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if tc.want == "" {
			if !c.UpdatedAt.IsZero() {
				t.Errorf("%s: got %v, want zero", tc.in, c.UpdatedAt)
			}
			continue
		}
		if !c.UpdatedAt.Equal(mustTime(t, tc.want)) {
			t.Errorf("%s: got %v, want %s", tc.in, c.UpdatedAt, tc.want)
		}
	}
}

func TestStorefrontOrder(t *testing.T) {
	cases := []struct {
		o    shopify.Order
		want bool
	}{
		{shopify.Order{ID: 1, SourceName: "web", CheckoutToken: "c"}, true},
		{shopify.Order{ID: 1, SourceName: "web", CartToken: "c"}, true},
		{shopify.Order{ID: 1, SourceName: "web"}, false},
		{shopify.Order{ID: 1, SourceName: "pos", CheckoutToken: "c"}, false},
		{shopify.Order{ID: 1, SourceName: "shopify_draft_order", CheckoutToken: "c"}, false},
	}
	for _, tc := range cases {
		if got := tc.o.StorefrontOrder(); got != tc.want {
			t.Errorf("%+v: StorefrontOrder = %v, want %v", tc.o, got, tc.want)
		}
	}
}

// TestParseTolerates checks what the decoder lets through as encoding/json
// did: a repeated name (the last wins) and invalid UTF-8 (replaced).
func TestParseTolerates(t *testing.T) {
	c, err := shopify.ParseCheckout([]byte("{\"token\":\"first\",\"token\":\"last\",\"email\":\"a\xffb@example.com\"}"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Token", c.Token, "last")
	check(t, "Email", c.Email, "a\uFFFDb@example.com")
}

func TestParseCrossTopic(t *testing.T) {
	if _, err := shopify.ParseCart(testkit.Fixture(t, "checkouts_create.json")); !errors.Is(err, shopify.ErrBadPayload) {
		t.Errorf("checkout parsed as a cart: err = %v", err)
	}
	if _, err := shopify.ParseCheckout(testkit.Fixture(t, "orders_create.rest-order-fixture.json")); !errors.Is(err, shopify.ErrBadPayload) {
		t.Errorf("order parsed as a checkout: err = %v", err)
	}
	if _, err := shopify.ParseOrder(testkit.Fixture(t, "carts_create.json")); !errors.Is(err, shopify.ErrBadPayload) {
		t.Errorf("cart parsed as an order: err = %v", err)
	}
}
