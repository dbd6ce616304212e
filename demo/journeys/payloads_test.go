package journeys_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

// fixtures are the Shopify payloads the shapes come from.
var fixtures = []string{"carts_create.json", "checkouts_create.json", "orders_create.rest-order-fixture.json"}

func readFixtures(t testing.TB) [3][]byte {
	t.Helper()
	var out [3][]byte
	for i, name := range fixtures {
		out[i] = testkit.Fixture(t, name)
	}
	return out
}

func payloads(t testing.TB) *journeys.Payloads {
	t.Helper()
	f := readFixtures(t)
	p, err := journeys.NewPayloads(f[0], f[1], f[2])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a journey with a step every five minutes from t0.
func clock() [funnel.StageCompleted + 1]time.Time {
	var at [funnel.StageCompleted + 1]time.Time
	for st := funnel.StageAddedToCart; st <= funnel.StageCompleted; st++ {
		at[st] = t0.Add(time.Duration(st-1) * 5 * time.Minute)
	}
	return at
}

func shopper(n int, stop funnel.Stage) journeys.Shopper {
	return journeys.Shopper{
		N: n, Cart: "c-" + string(rune('a'+n)), Checkout: "k-" + string(rune('a'+n)), Email: "s@example.com",
		Stop: stop, At: clock(), Items: []journeys.Item{{Title: "Mug", Cents: 12_50, Qty: 2}, {Title: "Tea", Cents: 4_00, Qty: 1}},
		Source: "google", Referrer: "https://www.google.com/", Country: journeys.Country{Code: "DE", Name: "Germany", City: "Hamburg", Zip: "20095"},
	}
}

// TestRenderJourney follows one shopper through every stage: the topics
// in order, each body what the shopper did by then and the shape's
// other fields as they were, and what each webhook says of the session.
func TestRenderJourney(t *testing.T) {
	p := payloads(t)
	s := shopper(4, funnel.StageCompleted)
	s.SignedIn, s.PriorOrders = true, 2
	s.Updates = []journeys.CartUpdate{{At: t0.Add(time.Minute)}, {At: t0.Add(2 * time.Minute), Items: []journeys.Item{{Title: "Mug", Cents: 12_50, Qty: 3}}}}
	ws := p.Render("a.myshopify.com", s)

	type step struct {
		topic string
		at    time.Time
		stage funnel.Stage
		cents int64
	}
	want := []step{
		{shopify.TopicCartsCreate, t0, funnel.StageAddedToCart, 29_00},
		{shopify.TopicCartsUpdate, t0.Add(time.Minute), funnel.StageAddedToCart, 29_00},
		{shopify.TopicCartsUpdate, t0.Add(2 * time.Minute), funnel.StageAddedToCart, 37_50},
		{shopify.TopicCheckoutsCreate, s.At[funnel.StageCheckoutStarted], funnel.StageCheckoutStarted, 37_50},
		{shopify.TopicCheckoutsUpdate, s.At[funnel.StageContactSubmitted], funnel.StageContactSubmitted, 37_50},
		{shopify.TopicCheckoutsUpdate, s.At[funnel.StageAddressSubmitted], funnel.StageAddressSubmitted, 37_50},
		{shopify.TopicCheckoutsUpdate, s.At[funnel.StagePaymentReached], funnel.StagePaymentReached, 37_50},
		{shopify.TopicOrdersCreate, s.At[funnel.StageCompleted], funnel.StageCompleted, 37_50},
	}
	if len(ws) != len(want) {
		t.Fatalf("%d webhooks, want %d", len(ws), len(want))
	}
	f := readFixtures(t)
	shapes := []map[string]any{decode(t, f[0]), decode(t, f[1]), decode(t, f[2])}
	for i, w := range ws {
		if w.Topic != want[i].topic || !w.At.Equal(want[i].at) || w.Stage != want[i].stage || w.Cents != want[i].cents ||
			w.Key != s.Cart || w.Shop != "a.myshopify.com" || !w.Start.Equal(t0) || w.Late {
			t.Errorf("webhook %d = %s at %s, %s, %d cents, key %s; want %+v", i, w.Topic, w.At, w.Stage, w.Cents, w.Key, want[i])
		}
		if wantID := s.Cart + "-" + string(rune('1'+i)); w.ID != wantID {
			t.Errorf("webhook %d id %s, want %s", i, w.ID, wantID)
		}
		if (w.Checkout == s.Checkout) != (w.Stage >= funnel.StageCheckoutStarted) {
			t.Errorf("webhook %d (%s) names checkout %q", i, w.Topic, w.Checkout)
		}
		// Bodies are what encoding/json writes: the templates' text and
		// the values filled in agree on escaping and key order.
		m := decode(t, w.Body)
		if again, _ := json.Marshal(m); !bytes.Equal(again, w.Body) {
			t.Errorf("webhook %d is not encoding/json's form:\n%s\n%s", i, w.Body, again)
		}
		shape := shapes[min(i/3, 2)]
		if strings.HasPrefix(w.Topic, "checkouts/") {
			shape = shapes[1]
		}
		for k, v := range shape {
			if _, set := m[k]; !set {
				t.Errorf("webhook %d lost the shape's field %s", i, k)
			} else if !setByJourneys[k] && !reflect.DeepEqual(m[k], v) {
				t.Errorf("webhook %d changed the shape's %s: %v", i, k, m[k])
			}
		}
	}

	cart, update, checkout := decode(t, ws[0].Body), decode(t, ws[2].Body), decode(t, ws[3].Body)
	contact, address, payment, order := decode(t, ws[4].Body), decode(t, ws[5].Body), decode(t, ws[6].Body), decode(t, ws[7].Body)
	expect := func(what string, m map[string]any, key string, want any) {
		t.Helper()
		got, _ := json.Marshal(m[key])
		if w, _ := json.Marshal(want); string(got) != string(w) {
			t.Errorf("%s %s = %s, want %s", what, key, got, w)
		}
	}
	expect("cart", cart, "token", s.Cart)
	expect("cart", cart, "created_at", "2026-03-01T12:00:00Z")
	expect("update", update, "updated_at", "2026-03-01T12:02:00Z")
	expect("update", update, "created_at", "2026-03-01T12:00:00Z")
	lines := update["line_items"].([]any)
	if len(lines) != 1 {
		t.Fatalf("the updated cart has %d lines", len(lines))
	}
	line := lines[0].(map[string]any)
	for k, v := range map[string]any{"id": 40, "title": "Mug", "quantity": 3, "price": "12.50", "line_price": "37.50", "original_price": "12.50",
		"original_line_price": "37.50", "total_discount": "0.00", "discounts": []any{}} {
		expect("cart line", line, k, v)
	}
	for k, amount := range map[string]string{"price_set": "12.50", "line_price_set": "37.50", "discounted_price_set": "12.50", "original_line_price_set": "37.50", "total_discount_set": "0.00"} {
		money := map[string]any{"amount": amount, "currency_code": "USD"}
		expect("cart line", line, k, map[string]any{"shop_money": money, "presentment_money": money})
	}

	expect("checkout", checkout, "token", s.Checkout)
	expect("checkout", checkout, "cart_token", s.Cart)
	expect("checkout", checkout, "total_price", "37.50")
	expect("checkout", checkout, "email", nil)
	expect("checkout", checkout, "customer", nil)
	expect("checkout", checkout, "shipping_address", nil)
	expect("checkout", checkout, "shipping_lines", []any{})
	expect("checkout", checkout, "source_name", "google")
	expect("checkout", checkout, "referring_site", "https://www.google.com/")
	expect("checkout", checkout, "abandoned_checkout_url", "https://a.myshopify.com/checkouts/"+s.Checkout+"/recover?key="+s.Cart)
	expect("checkout", checkout, "created_at", "2026-03-01T12:05:00Z")
	expect("contact", contact, "email", s.Email)
	expect("contact", contact, "customer", map[string]any{"email": s.Email, "id": 9_000_004, "orders_count": 2})
	expect("contact", contact, "shipping_address", nil)
	expect("contact", contact, "created_at", "2026-03-01T12:05:00Z")
	expect("contact", contact, "updated_at", "2026-03-01T12:10:00Z")
	addr := map[string]any{"address1": "5 Market Street", "city": "Hamburg", "country": "Germany", "country_code": "DE",
		"first_name": "Demo", "last_name": "Shopper 4", "zip": "20095"}
	expect("address", address, "shipping_address", addr)
	expect("address", address, "billing_address", addr)
	expect("address", address, "email", s.Email)
	expect("address", address, "shipping_lines", []any{})
	if lines, _ := payment["shipping_lines"].([]any); len(lines) != 1 {
		t.Errorf("payment step shipping lines %v", payment["shipping_lines"])
	}
	expect("payment", payment, "shipping_address", addr)

	for k, v := range map[string]any{
		"id": 5_000_000_004, "name": "#1004", "order_number": 1004, "number": 4, "checkout_id": 7_000_004, "token": "order-" + s.Cart,
		"cart_token": s.Cart, "checkout_token": s.Checkout, "total_price": "37.50", "email": s.Email, "contact_email": s.Email,
		"source_name": "google", "landing_site": "/", "payment_gateway_names": []string{"paypal"}, "shipping_address": addr,
		"customer": map[string]any{"email": s.Email, "id": 9_000_004, "orders_count": 3}, "created_at": "2026-03-01T12:25:00Z",
		"processed_at": "2026-03-01T12:25:00Z",
	} {
		expect("order", order, k, v)
	}
	if lines := order["line_items"].([]any); len(lines) != 1 || lines[0].(map[string]any)["line_price"] != nil {
		t.Errorf("order lines %v: one, with no line_price", lines)
	}

	for i, w := range ws {
		var err error
		switch w.Topic {
		case shopify.TopicCartsCreate, shopify.TopicCartsUpdate:
			_, err = shopify.ParseCart(w.Body)
		case shopify.TopicCheckoutsCreate, shopify.TopicCheckoutsUpdate:
			_, err = shopify.ParseCheckout(w.Body)
		default:
			_, err = shopify.ParseOrder(w.Body)
		}
		if err != nil {
			t.Errorf("webhook %d (%s) does not parse: %v", i, w.Topic, err)
		}
	}
}

// setByJourneys are the top-level fields a journey sets.
var setByJourneys = map[string]bool{
	"id": true, "token": true, "line_items": true, "created_at": true, "updated_at": true, "cart_token": true,
	"total_price": true, "subtotal_price": true, "total_tax": true, "currency": true, "presentment_currency": true,
	"email": true, "phone": true, "customer": true, "shipping_address": true, "billing_address": true, "shipping_lines": true,
	"source_name": true, "landing_site": true, "referring_site": true, "abandoned_checkout_url": true,
	"name": true, "order_number": true, "number": true, "checkout_token": true, "checkout_id": true, "processed_at": true,
	"total_discounts": true, "contact_email": true, "payment_gateway_names": true, "test": true,
}

// TestRenderStops: a shopper's webhooks end where the shopper stops; an
// express order comes alone after the cart, naming no checkout; a bare
// order names no address, source or customer but its id; a recovered
// checkout's order comes last, marked late.
func TestRenderStops(t *testing.T) {
	p := payloads(t)
	for stop := funnel.StageAddedToCart; stop <= funnel.StageCompleted; stop++ {
		ws := p.Render("a.myshopify.com", shopper(1, stop))
		if want := map[funnel.Stage]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6}[stop]; len(ws) != want || ws[len(ws)-1].Stage != stop {
			t.Errorf("stop %s: %d webhooks, the last at %s", stop, len(ws), ws[len(ws)-1].Stage)
		}
	}

	s := shopper(2, funnel.StageCompleted)
	s.Express = true
	ws := p.Render("a.myshopify.com", s)
	if len(ws) != 2 || ws[1].Topic != shopify.TopicOrdersCreate || ws[1].Checkout != "" || !ws[1].At.Equal(s.At[funnel.StageCompleted]) {
		t.Fatalf("express: %d webhooks, %+v", len(ws), ws[len(ws)-1])
	}
	if o := decode(t, ws[1].Body); o["checkout_token"] != "" || o["cart_token"] != s.Cart {
		t.Errorf("express order names checkout %v, cart %v", o["checkout_token"], o["cart_token"])
	}

	s = shopper(3, funnel.StageCompleted)
	s.BareOrder = true
	ws = p.Render("a.myshopify.com", s)
	o := decode(t, ws[len(ws)-1].Body)
	if o["shipping_address"] != nil || o["billing_address"] != nil || o["source_name"] != "" || o["landing_site"] != "" ||
		!reflect.DeepEqual(o["customer"], map[string]any{"id": json.Number("9000003")}) || o["email"] != s.Email {
		t.Errorf("bare order: address %v, source %q, landing %q, customer %v, email %v", o["shipping_address"], o["source_name"], o["landing_site"], o["customer"], o["email"])
	}

	s = shopper(5, funnel.StageAddressSubmitted)
	s.Recovered = s.At[funnel.StageAddressSubmitted].Add(48 * time.Hour)
	s.Country = journeys.Country{}
	ws = p.Render("a.myshopify.com", s)
	last := ws[len(ws)-1]
	if len(ws) != 5 || !last.Late || last.Topic != shopify.TopicOrdersCreate || !last.At.Equal(s.Recovered) || last.Checkout != s.Checkout || ws[3].Late {
		t.Fatalf("recovered: %d webhooks, last %+v", len(ws), last)
	}
	if a := decode(t, ws[3].Body); a["shipping_address"] != nil {
		t.Errorf("a shopper of no country has address %v", a["shipping_address"])
	}
	if o := decode(t, last.Body); o["customer"].(map[string]any)["orders_count"] != json.Number("1") {
		t.Errorf("a guest's order: customer %v", o["customer"])
	}
}

// TestRenderEscapes: values are JSON-escaped as encoding/json escapes them.
func TestRenderEscapes(t *testing.T) {
	s := shopper(1, funnel.StageCompleted)
	s.Items[0].Title = "Crème <brûlée> & \"set\"\n\u2028"
	s.Source, s.Referrer = `<b>&"web"`, "https://x.example/?a=1&b=<2>"
	for _, w := range payloads(t).Render("a.myshopify.com", s) {
		m := decode(t, w.Body)
		if again, _ := json.Marshal(m); !bytes.Equal(again, w.Body) {
			t.Errorf("%s is not encoding/json's form:\n%s", w.Topic, w.Body)
		}
		if title := m["line_items"].([]any)[0].(map[string]any)["title"]; title != s.Items[0].Title {
			t.Errorf("%s: title %q", w.Topic, title)
		}
	}
}

// TestRenderConcurrently: Payloads serves several renders at once, each
// as it would alone.
func TestRenderConcurrently(t *testing.T) {
	p := payloads(t)
	crowd := mix(1).Crowd()
	var shoppers []journeys.Shopper
	var want [][]journeys.Webhook
	for range 200 {
		s := crowd.Next()
		shoppers = append(shoppers, s)
		want = append(want, p.Render("a.myshopify.com", s))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(shoppers); i += 4 {
				if got := p.Render("a.myshopify.com", shoppers[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("shopper %d renders differently when others render beside it", i)
				}
			}
		})
	}
	wg.Wait()
}

// TestNewPayloadsRefusesBadShapes names what is wrong with a shape.
func TestNewPayloadsRefusesBadShapes(t *testing.T) {
	f := readFixtures(t)
	for name, c := range map[string]struct {
		cart, checkout, order []byte
		want                  string
	}{
		"not JSON":        {[]byte(`{"id":`), f[1], f[2], "cart shape"},
		"not an object":   {f[0], []byte(`[1]`), f[2], "checkout shape"},
		"a NUL character": {f[0], f[1], []byte(`{"note":"a\u0000b"}`), "NUL"},
	} {
		if _, err := journeys.NewPayloads(c.cart, c.checkout, c.order); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", name, err, c.want)
		}
	}
}
