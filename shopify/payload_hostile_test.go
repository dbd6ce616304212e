package shopify_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

// storableStrings fails the test when a string reachable from v holds a NUL
// or is not valid UTF-8: what PostgreSQL's text and jsonb refuse.
func storableStrings(t *testing.T, what string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			storableStrings(t, what, v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				storableStrings(t, what+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			storableStrings(t, what, v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			storableStrings(t, what, k)
			storableStrings(t, what, v.MapIndex(k))
		}
	case reflect.String:
		if s := v.String(); strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			t.Errorf("%s = %q: not storable", what, s)
		}
	}
}

// TestParsedTextIsStorable: every text field of every payload type comes
// out of the parser without NUL and in valid UTF-8, nested ones included,
// whatever the body carried.
func TestParsedTextIsStorable(t *testing.T) {
	const bad = `a\u0000b\ud800\udc00\ud800c` + "\xff\xfe"
	for name, topic := range fixtureTopics() {
		body := string(testkit.Fixture(t, name))
		// Every string value of the fixture that is not an amount or a
		// time gets the bad characters.
		var out strings.Builder
		start, escaped := -1, false
		for i := 0; i < len(body); i++ {
			ch := body[i]
			switch {
			case start >= 0 && escaped:
				escaped = false
			case start >= 0 && ch == '\\':
				escaped = true
			case start >= 0 && ch == '"':
				content := body[start:i]
				isKey := strings.HasPrefix(strings.TrimLeft(body[i+1:], " \t\n"), ":")
				_, timeErr := time.Parse(time.RFC3339Nano, content)
				if !isKey && !shopify.ValidMoney(content) && timeErr != nil {
					out.WriteString(bad)
				}
				start = -1
			case start < 0 && ch == '"':
				start = i + 1
			}
			out.WriteByte(ch)
		}
		v, err := shopify.ParsePayload(topic, []byte(out.String()))
		if err != nil {
			t.Errorf("%s with bad text: %v", name, err)
			continue
		}
		storableStrings(t, name, reflect.ValueOf(v))
	}
	// A field that does parse keeps its text around the NUL.
	c, err := shopify.ParseCheckout([]byte(`{"token":"t\u0000ok","email":"ann\u0000@example.com",
		"customer":{"email":"\u0000x"},"shipping_address":{"city":"Ber\u0000lin"},
		"line_items":[{"title":"Mu\u0000g","quantity":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "tok" || c.Email != "ann@example.com" || c.Customer.Email != "x" ||
		c.ShippingAddress.City != "Berlin" || c.LineItems[0].Title != "Mug" {
		t.Errorf("NULs not dropped: %+v", c)
	}
	o, err := shopify.ParseOrder([]byte(`{"id":1,"payment_gateway_names":["bo\u0000gus"]}`))
	if err != nil || o.PaymentGatewayNames[0] != "bogus" {
		t.Errorf("order gateway names: %q %v", o.PaymentGatewayNames, err)
	}
	r, err := shopify.ParseCustomersDataRequest([]byte(`{"shop_domain":"a.myshopify.com","customer":{"email":"john\u0000@example.com"}}`))
	if err != nil || r.Customer.Email != "john@example.com" {
		t.Errorf("data request e-mail: %q %v", r.Customer.Email, err)
	}
}

// TestPayloadTimes: every time of a payload, at any depth, is reported under
// its JSON name; unset ones are not.
func TestPayloadTimes(t *testing.T) {
	at := func(s string) shopify.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return shopify.Time{Time: v}
	}
	names := func(v any) string {
		var out []string
		for _, nt := range shopify.PayloadTimes(v) {
			out = append(out, nt.Name+"="+nt.Time.UTC().Format(time.RFC3339))
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		v    any
		want string
	}{
		{shopify.Cart{CreatedAt: at("2026-01-01T00:00:00Z"), UpdatedAt: at("2026-01-02T00:00:00Z")},
			"created_at=2026-01-01T00:00:00Z updated_at=2026-01-02T00:00:00Z"},
		{&shopify.Checkout{CompletedAt: at("0001-03-04T05:06:07Z"), ClosedAt: at("2999-01-01T00:00:00Z")},
			"completed_at=0001-03-04T05:06:07Z closed_at=2999-01-01T00:00:00Z"},
		{shopify.Order{CreatedAt: at("2026-01-01T00:00:00Z"), ProcessedAt: at("2026-01-01T00:00:01Z"), CancelledAt: at("2026-01-01T00:00:02Z")},
			"created_at=2026-01-01T00:00:00Z processed_at=2026-01-01T00:00:01Z cancelled_at=2026-01-01T00:00:02Z"},
		{shopify.AppScopesUpdate{UpdatedAt: at("2026-01-01T00:00:00Z")}, "updated_at=2026-01-01T00:00:00Z"},
		{shopify.Order{}, ""},
		{[]shopify.Cart{{CreatedAt: at("2026-01-01T00:00:00Z")}}, "created_at=2026-01-01T00:00:00Z"},
	} {
		if got := names(tt.v); got != tt.want {
			t.Errorf("PayloadTimes(%T) = %q, want %q", tt.v, got, tt.want)
		}
	}
	// Every Time field of the funnel's payload types is reported once set.
	for _, v := range []any{&shopify.Cart{}, &shopify.Checkout{}, &shopify.Order{}} {
		s := reflect.ValueOf(v).Elem()
		set := 0
		for i := range s.NumField() {
			if s.Field(i).Type() == reflect.TypeFor[shopify.Time]() {
				s.Field(i).Set(reflect.ValueOf(at("2026-01-01T00:00:00Z")))
				set++
			}
		}
		if got := len(shopify.PayloadTimes(v)); got != set || set == 0 {
			t.Errorf("%T: %d times reported of %d set", v, got, set)
		}
	}
}

func TestBodyShop(t *testing.T) {
	for _, tt := range []struct {
		topic, body string
		named       bool
		want        shopify.NamedShop
		err         string
	}{
		{"app/uninstalled", `{"id": 7, "myshopify_domain": "a.myshopify.com", "domain": "shop.example"}`, true, shopify.NamedShop{Domain: "a.myshopify.com", ID: 7}, ""},
		{"app/uninstalled", `{"id": 7, "myshopify_domain": null}`, true, shopify.NamedShop{}, "myshopify_domain"},
		{"app/uninstalled", `{"myshopify_domain": "a.myshopify.com"}`, true, shopify.NamedShop{}, "id"},
		{"shop/redact", `{"shop_id": 9, "shop_domain": "B.myshopify.com"}`, true, shopify.NamedShop{Domain: "B.myshopify.com", ID: 9}, ""},
		{"shop/redact", `{"shop_id": 9}`, true, shopify.NamedShop{}, "shop_domain"},
		{"customers/redact", `{"shop_id": 9, "shop_domain": "c.myshopify.com", "customer": {"email": "x"}}`, true, shopify.NamedShop{Domain: "c.myshopify.com", ID: 9}, ""},
		{"customers/data_request", `{"shop_domain": "d.myshopify.com"}`, true, shopify.NamedShop{Domain: "d.myshopify.com"}, ""},
		{"customers/data_request", `not json`, true, shopify.NamedShop{}, "JSON"},
		{"carts/create", `{"token": "t"}`, false, shopify.NamedShop{}, ""},
		{"orders/create", `{"id": 1}`, false, shopify.NamedShop{}, ""},
		{"app/scopes_update", `{"shop_id": "gid://shopify/Shop/1"}`, false, shopify.NamedShop{}, ""},
	} {
		got, named, err := shopify.BodyShop(tt.topic, []byte(tt.body))
		if named != tt.named || (tt.err == "" && (err != nil || got != tt.want)) || (tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err))) {
			t.Errorf("BodyShop(%s, %s) = %+v, %v, %v; want %+v, %v, error with %q", tt.topic, tt.body, got, named, err, tt.want, tt.named, tt.err)
		}
	}
}

func TestWebhookHeadersStorable(t *testing.T) {
	good := shopify.WebhookHeaders{Topic: "carts/create", HMAC: "x", ShopDomain: "a.myshopify.com", APIVersion: "2026-10",
		WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", EventID: "e1", TriggeredAt: "2026-01-01T00:00:00.123Z"}
	if got, problem := good.Storable(); got != good || problem != "" {
		t.Fatalf("good headers: %+v, %q", got, problem)
	}
	long := strings.Repeat("é", 128) // 256 bytes
	for _, tt := range []struct {
		set     func(h *shopify.WebhookHeaders)
		get     func(h shopify.WebhookHeaders) string
		raw     string
		problem string
	}{
		{func(h *shopify.WebhookHeaders) { h.WebhookID = "id\xff" }, func(h shopify.WebhookHeaders) string { return h.WebhookID }, "id\xff", "X-Shopify-Webhook-Id is not valid UTF-8"},
		{func(h *shopify.WebhookHeaders) { h.EventID = long }, func(h shopify.WebhookHeaders) string { return h.EventID }, long, "X-Shopify-Event-Id is 256 bytes long"},
		{func(h *shopify.WebhookHeaders) { h.APIVersion = "2026\x00" }, func(h shopify.WebhookHeaders) string { return h.APIVersion }, "2026\x00", "X-Shopify-API-Version holds a NUL"},
		{func(h *shopify.WebhookHeaders) { h.Topic = "carts/\xc3" }, func(h shopify.WebhookHeaders) string { return h.Topic }, "carts/\xc3", "X-Shopify-Topic is not valid UTF-8"},
		{func(h *shopify.WebhookHeaders) { h.TriggeredAt = long }, func(h shopify.WebhookHeaders) string { return h.TriggeredAt }, long, "X-Shopify-Triggered-At is 256"},
	} {
		h := good
		tt.set(&h)
		got, problem := h.Storable()
		again, _ := h.Storable()
		standIn := tt.get(got)
		if !strings.HasPrefix(problem, tt.problem) || !strings.HasPrefix(standIn, "sha256:") || len(standIn) != 71 ||
			standIn != tt.get(again) || got.ShopDomain != good.ShopDomain || got.HMAC != good.HMAC {
			t.Errorf("%q: stand-in %q, problem %q; want a sha256 stand-in, the same each time, and %q", tt.raw, standIn, problem, tt.problem)
		}
	}
	// Exactly the limit is fine.
	h := good
	h.WebhookID = strings.Repeat("a", shopify.MaxHeaderValueBytes)
	if got, problem := h.Storable(); problem != "" || got.WebhookID != h.WebhookID {
		t.Errorf("a %d-byte id: %q", shopify.MaxHeaderValueBytes, problem)
	}
}

func TestNormalizeShopDomain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"My-Store.MyShopify.com", "my-store.myshopify.com"}, {" a.myshopify.com ", "a.myshopify.com"}, {"a.myshopify.com", "a.myshopify.com"},
	} {
		if got := shopify.NormalizeShopDomain(tc.in); got != tc.want {
			t.Errorf("NormalizeShopDomain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
