package shopify_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

func customerEventDir(t testing.TB) string {
	return filepath.Join(testkit.RepoRoot(t), "testdata", "customer-events")
}

func customerEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(customerEventDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// batchOf wraps raw events in a /collect body.
func batchOf(events ...[]byte) []byte {
	parts := make([]string, len(events))
	for i, e := range events {
		parts[i] = string(e)
	}
	return []byte(`{"shop":"example.myshopify.com","key":"k","events":[` + strings.Join(parts, ",") + `]}`)
}

func parseOne(t *testing.T, name string) shopify.CustomerEvent {
	t.Helper()
	b, err := shopify.ParseCollectBatch(batchOf(customerEvent(t, name)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b.Events[0]
}

// TestEveryCustomerEventFixtureParses reads every fixture of the pixel's
// events through ParseCollectBatch: each is a valid event of its name.
func TestEveryCustomerEventFixtureParses(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(customerEventDir(t), "*.json"))
	if err != nil || len(files) < 20 {
		t.Fatalf("fixtures: %d, %v", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if name == "batch_visit.json" {
			continue
		}
		e := parseOne(t, name)
		if e.ID == "" || e.ClientID == "" || e.Timestamp.IsZero() {
			t.Errorf("%s: envelope %+v", name, e)
		}
		base := strings.TrimSuffix(name, ".json")
		if !strings.HasPrefix(base, strings.ReplaceAll(e.Name, ":", "_")) {
			t.Errorf("%s: name %q", name, e.Name)
		}
	}
}

func TestCollectBatchFixture(t *testing.T) {
	b, err := shopify.ParseCollectBatch(customerEvent(t, "batch_visit.json"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Shop != "example.myshopify.com" || b.Key == "" || len(b.Events) != 28 {
		t.Fatalf("batch %s %s %d events", b.Shop, b.Key, len(b.Events))
	}
	first := b.Events[0]
	if first.Name != "page_viewed" || first.Location().Pathname != "/" || first.Referrer() != "https://www.google.com/" ||
		!strings.Contains(first.UserAgent(), "iPhone") || first.InnerWidth() != 390 {
		t.Errorf("first event: %s %+v %q %q %d", first.Name, first.Location(), first.Referrer(), first.UserAgent(), first.InnerWidth())
	}
}

func TestCustomerEventAccessors(t *testing.T) {
	pv := parseOne(t, "product_viewed.json").ProductVariant()
	if pv.ID != "8123456789012" || pv.Title != "Linen Shirt" || pv.Type != "Shirts" || pv.VariantID == "" || pv.Price.Amount != "48" {
		t.Errorf("product_viewed: %+v", pv)
	}
	add := parseOne(t, "product_added_to_cart.json")
	if l := add.CartLine(); l.Merchandise.ID != "8123456789012" || l.Quantity != 1 || l.Total != (shopify.Money{Amount: "48", CurrencyCode: "USD"}) {
		t.Errorf("cartLine: %+v", l)
	}
	if s := add.Location().Search; s != "?variant=44123456789012" {
		t.Errorf("search %q", s)
	}
	const cartToken = "Z2NwLXVzLWVhc3QxOjAxSkREOVhRNVc0RzhZUDJNSzNWN1RBMVBI"
	cv := parseOne(t, "cart_viewed.json")
	if !strings.HasPrefix(cv.CartID(), "gid://shopify/Cart/") || cv.CartToken() != cartToken {
		t.Errorf("cart_viewed: id %q token %q", cv.CartID(), cv.CartToken())
	}
	if tok := parseOne(t, "funnelscope_cart.json").CartToken(); tok != cartToken {
		t.Errorf("funnelscope:cart token %q, want the part before ?key=", tok)
	}
	done := parseOne(t, "checkout_completed.json")
	if done.CheckoutToken() != "8b5e2f7c1d9a4e6b3c0f5a7d2e9b4c1f" || done.CheckoutTotal() != (shopify.Money{Amount: "56.84", CurrencyCode: "USD"}) {
		t.Errorf("checkout: %q %+v", done.CheckoutToken(), done.CheckoutTotal())
	}
	if tx := done.Transactions(); len(tx) != 1 || tx[0].Gateway != "shopify_payments" || tx[0].PaymentMethodType != "creditCard" || tx[0].PaymentMethodName != "Visa" {
		t.Errorf("transactions %+v", tx)
	}
	if a := parseOne(t, "alert_displayed.json").AlertType(); a != "PAYMENT_ERROR" {
		t.Errorf("alert type %q", a)
	}
	if p := parseOne(t, "funnelscope_scroll_depth.json").Percent(); p != 50 {
		t.Errorf("percent %d", p)
	}
	if c := parseOne(t, "clicked.json"); c.Location() != (shopify.Location{}) || c.UserAgent() != "" {
		t.Errorf("a DOM event has a context: %+v", c.Location())
	}
}

// TestCustomerEventsCarryNoPersonalData: nothing the accessors return
// holds the checkout's e-mail, phone, names or address.
func TestCustomerEventsCarryNoPersonalData(t *testing.T) {
	e := parseOne(t, "checkout_completed.json")
	read := fmt.Sprintf("%+v %+v %+v %+v %+v %s %s %s %s %d %s %s",
		e.Location(), e.ProductVariant(), e.CartLine(), e.CheckoutTotal(), e.Transactions(),
		e.CheckoutToken(), e.CartID(), e.Referrer(), e.UserAgent(), e.Percent(), e.CustomToken(), e.AlertType())
	for _, pii := range []string{"ana.shopper@example.com", "+15555550123", "Ana", "Shopper", "123 Main Street", "97477", "Springfield"} {
		if strings.Contains(read, pii) {
			t.Errorf("accessors return %q", pii)
		}
	}
}

func TestParseCollectBatchRefusesBadShapes(t *testing.T) {
	good := `{"id":"e1","name":"page_viewed","clientId":"c1","timestamp":"2026-11-24T14:02:11.000Z"}`
	many := make([]string, shopify.MaxCollectEvents+1)
	for i := range many {
		many[i] = good
	}
	for _, c := range []struct{ name, body, want string }{
		{"empty", ``, "not a JSON object"},
		{"array", `[]`, "not a JSON object"},
		{"malformed", `{"shop":`, ""},
		{"trailing garbage", `{"shop":"s","key":"k","events":[]} x`, ""},
		{"unknown key", `{"shop":"s","key":"k","events":[],"extra":1}`, `unknown key "extra"`},
		{"duplicate key", `{"shop":"s","shop":"t","key":"k","events":[]}`, "duplicate"},
		{"no shop", `{"key":"k","events":[]}`, "shop is not a string"},
		{"empty key", `{"shop":"s","key":"","events":[]}`, "key is empty"},
		{"events not an array", `{"shop":"s","key":"k","events":{}}`, "events is not an array"},
		{"no events", `{"shop":"s","key":"k"}`, "events is not an array"},
		{"too many", `{"shop":"s","key":"k","events":[` + strings.Join(many, ",") + `]}`, "more than 200"},
		{"event not an object", `{"shop":"s","key":"k","events":[1]}`, "event 0: not an object"},
		{"id a number", `{"shop":"s","key":"k","events":[{"id":1,"name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`, "id is not a string"},
		{"no client", `{"shop":"s","key":"k","events":[{"id":"e","name":"n","timestamp":"2026-11-24T14:02:11Z"}]}`, "clientId is not a string"},
		{"bad timestamp", `{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"yesterday"}]}`, "not RFC 3339"},
		{"timestamp a number", `{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":1732456931000}]}`, "timestamp is not a string"},
		{"data an array", `{"shop":"s","key":"k","events":[{"id":"e","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z","data":[]}]}`, "data is not an object"},
		{"second event bad", `{"shop":"s","key":"k","events":[` + good + `,{"id":"","name":"n","clientId":"c","timestamp":"2026-11-24T14:02:11Z"}]}`, "event 1: id is empty"},
	} {
		_, err := shopify.ParseCollectBatch([]byte(c.body))
		if !errors.Is(err, shopify.ErrBadBatch) {
			t.Errorf("%s: error %v does not wrap ErrBadBatch", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.want)
		}
	}
}

// TestParseCollectBatchLenientInside: odd types inside context, data and
// customData read as absent, and never cost the batch.
func TestParseCollectBatchLenientInside(t *testing.T) {
	body := `{"shop":"s","key":"k","events":[{"id":"e","name":"product_added_to_cart","clientId":"c","timestamp":"2026-11-24T14:02:11+01:00",
		"seq":"x","type":7,"extra":{"future":true},
		"context":{"document":{"location":"not an object","referrer":5},"navigator":{"userAgent":["x"]},"window":{"innerWidth":"412"}},
		"data":{"cartLine":{"quantity":"2","merchandise":{"product":{"id":123,"title":null}},"cost":{"totalAmount":{"amount":"1e3","currencyCode":"USD"}}},"checkout":7},
		"customData":{"percent":"75","token":{"a":1}}}]}`
	b, err := shopify.ParseCollectBatch([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	e := b.Events[0]
	if !e.Timestamp.Equal(time.Date(2026, 11, 24, 13, 2, 11, 0, time.UTC)) || e.Seq != 0 || e.Type != "7" {
		t.Errorf("envelope %+v", e)
	}
	if e.Location() != (shopify.Location{}) || e.Referrer() != "5" || e.UserAgent() != "" || e.InnerWidth() != 412 {
		t.Errorf("context %+v %q %q %d", e.Location(), e.Referrer(), e.UserAgent(), e.InnerWidth())
	}
	l := e.CartLine()
	if l.Quantity != 2 || l.Merchandise.ID != "123" || l.Merchandise.Title != "" || l.Total.Amount != "" || l.Total.CurrencyCode != "USD" {
		t.Errorf("cart line %+v", l)
	}
	if e.CheckoutToken() != "" || e.Percent() != 75 || e.CustomToken() != "" {
		t.Errorf("checkout %q percent %d token %q", e.CheckoutToken(), e.Percent(), e.CustomToken())
	}
}

func TestCartTokenOf(t *testing.T) {
	for in, want := range map[string]string{
		"gid://shopify/Cart/abc123?key=k": "abc123",
		"gid://shopify/Cart/abc123":       "abc123",
		"abc123?key=k":                    "abc123",
		"abc123":                          "abc123",
		"gid://shopify/Product/1":         "",
		"gid://shopify/Cart/":             "",
		"":                                "",
		"a/b":                             "",
		"?key=k":                          "",
	} {
		if got := shopify.CartTokenOf(in); got != want {
			t.Errorf("CartTokenOf(%q) = %q, want %q", in, got, want)
		}
	}
}
