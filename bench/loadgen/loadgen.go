// Package loadgen builds realistic, signed Shopify webhook deliveries from
// the Shopify fixtures of the repository's testdata/shopify, for the
// benchmarks (go run ./bench) and the fault tests (./faults).
//
// A journey is one shopper's cart: carts/create, a few carts/update, then,
// depending on how far the shopper gets, checkouts/create, checkouts/update
// for contact, address and shipping line, and orders/create. Most
// deliveries are therefore cart and checkout updates, as on a real store.
// Payloads are rendered from templates made once from the fixtures, so
// generating a delivery costs a string replacement, not a JSON encoding.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// Delivery is one webhook to post, with what the generator knows of the
// session after it (for writing the same rows without the app).
type Delivery struct {
	Topic, Shop, ID string
	Body            []byte

	Key, Checkout string
	Start, At     time.Time
	Stage         funnel.Stage
	Cents         int64
}

// Templates are the fixture payloads with placeholders.
type Templates struct {
	cartCreate, cartUpdate, checkout, contact, address, payment, order string
}

// FixturesDir returns the repository's testdata/shopify: it walks up from
// the working directory (the repository or one of its packages, as under
// go test) to the folder that holds go.mod.
func FixturesDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("loadgen: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "shopify"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("loadgen: no go.mod in the working directory or above it: run from inside the repository, or name the fixtures folder")
		}
		dir = parent
	}
}

// Load reads the fixtures in dir and makes the templates.
func Load(dir string) (*Templates, error) {
	read := func(name string) (map[string]any, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("loadgen: %s: %w", name, err)
		}
		return m, nil
	}
	render := func(m map[string]any, fields map[string]any) (string, error) {
		for k, v := range fields {
			m[k] = v
		}
		b, err := json.Marshal(m)
		return string(b), err
	}
	t := &Templates{}
	var err error
	for _, c := range []struct {
		file string
		dst  *string
	}{{"carts_create.json", &t.cartCreate}, {"carts_update.json", &t.cartUpdate}} {
		m, err := read(c.file)
		if err != nil {
			return nil, err
		}
		if items, ok := m["line_items"].([]any); ok && len(items) > 0 {
			item := items[0].(map[string]any)
			item["line_price"] = "@PRICE@"
			m["line_items"] = items[:1]
		}
		if *c.dst, err = render(m, map[string]any{"id": "@CART@", "token": "@CART@", "created_at": "@T0@", "updated_at": "@TU@"}); err != nil {
			return nil, err
		}
	}
	co, err := read("checkouts_create.json")
	if err != nil {
		return nil, err
	}
	base := map[string]any{
		"token": "@CHK@", "cart_token": "@CART@", "total_price": "@PRICE@", "subtotal_price": "@PRICE@",
		"email": nil, "phone": nil, "customer": nil, "shipping_address": nil, "billing_address": nil,
		"shipping_lines": []any{}, "created_at": "@T0@", "updated_at": "@TU@",
	}
	if t.checkout, err = render(co, base); err != nil {
		return nil, err
	}
	if t.contact, err = render(co, map[string]any{"email": "@EMAIL@"}); err != nil {
		return nil, err
	}
	addr := map[string]any{"address1": "@N@ Main Street", "city": "Ottawa", "zip": "K1A 0B1", "country": "Canada", "country_code": "CA"}
	if t.address, err = render(co, map[string]any{"shipping_address": addr, "billing_address": addr}); err != nil {
		return nil, err
	}
	lines := []any{map[string]any{"code": "Standard", "title": "Standard", "price": "5.00", "source": "shopify"}}
	if t.payment, err = render(co, map[string]any{"shipping_lines": lines}); err != nil {
		return nil, err
	}
	or, err := read("orders_create.rest-order-fixture.json")
	if err != nil {
		return nil, err
	}
	if t.order, err = render(or, map[string]any{
		"cart_token": "@CART@", "checkout_token": "@CHK@", "created_at": "@TU@", "processed_at": "@TU@", "updated_at": "@TU@",
		"total_price": "@PRICE@", "subtotal_price": "@PRICE@", "source_name": "web",
	}); err != nil {
		return nil, err
	}
	return t, nil
}

// Stop draws how far a shopper gets: about 45% stop at the cart, 20% at
// checkout, 9% after contact, 6% after address, 5% at payment, 15% order.
func Stop(rng *rand.Rand) funnel.Stage {
	switch x := rng.IntN(100); {
	case x < 45:
		return funnel.StageAddedToCart
	case x < 65:
		return funnel.StageCheckoutStarted
	case x < 74:
		return funnel.StageContactSubmitted
	case x < 80:
		return funnel.StageAddressSubmitted
	case x < 85:
		return funnel.StagePaymentReached
	}
	return funnel.StageCompleted
}

// Journey returns the deliveries of shopper n of shop, who gets as far as
// stop, starting at start with a cart worth cents. Webhook ids are unique
// per (prefix, shop, n, position); the same arguments give the same
// deliveries. Every delivery is in time order; the caller interleaves.
func (t *Templates) Journey(prefix, shop string, n int, stop funnel.Stage, start time.Time, cents int64, rng *rand.Rand) []Delivery {
	cart := fmt.Sprintf("%scart-%d", prefix, n)
	chk := fmt.Sprintf("%schk-%d", prefix, n)
	var out []Delivery
	at := time.Duration(0)
	reached := funnel.StageAddedToCart
	add := func(topic, tmpl string, step time.Duration, price int64) {
		at += step
		f := fields{cart: cart, chk: chk, t0: stamp(start), tu: stamp(start.Add(at)), price: funnel.FormatMoney(price), n: strconv.Itoa(n)}
		out = append(out, Delivery{Topic: topic, Shop: shop, ID: fmt.Sprintf("%s%s-%d-%d", prefix, shop, n, len(out)), Body: f.render(tmpl),
			Key: cart, Start: start, At: start.Add(at), Stage: reached, Cents: price})
	}
	add("carts/create", t.cartCreate, 0, cents)
	for i := range 1 + rng.IntN(3) {
		cents += int64(500 + 100*i)
		add("carts/update", t.cartUpdate, time.Duration(20+rng.IntN(120))*time.Second, cents)
	}
	if stop < funnel.StageCheckoutStarted {
		return out
	}
	coStart := start.Add(at + time.Duration(30+rng.IntN(300))*time.Second)
	step := func() time.Duration { return time.Duration(10+rng.IntN(170)) * time.Second }
	checkout := func(topic, tmpl string) {
		at += step()
		f := fields{cart: cart, chk: chk, t0: stamp(coStart), tu: stamp(start.Add(at)), price: funnel.FormatMoney(cents), n: strconv.Itoa(n)}
		out = append(out, Delivery{Topic: topic, Shop: shop, ID: fmt.Sprintf("%s%s-%d-%d", prefix, shop, n, len(out)), Body: f.render(tmpl),
			Key: cart, Checkout: chk, Start: start, At: start.Add(at), Stage: reached, Cents: cents})
		reached++
	}
	at = coStart.Sub(start)
	reached = funnel.StageCheckoutStarted
	checkout("checkouts/create", t.checkout)
	// render mutates the fixture, so each step's template carries the
	// previous steps' fields too.
	if stop >= funnel.StageContactSubmitted {
		checkout("checkouts/update", t.contact)
	}
	if stop >= funnel.StageAddressSubmitted {
		checkout("checkouts/update", t.address)
	}
	if stop >= funnel.StagePaymentReached {
		checkout("checkouts/update", t.payment)
	}
	if stop == funnel.StageCompleted {
		reached = funnel.StageCompleted
		add("orders/create", t.order, step(), cents)
		out[len(out)-1].Checkout = chk
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fields are the values of a delivery's placeholders.
type fields struct{ cart, chk, t0, tu, price, n string }

// render returns tmpl with each placeholder (@CART@, @CHK@, @T0@, @TU@,
// @PRICE@, @EMAIL@, @N@) replaced by its value, in one pass: the
// generator plays Shopify and should take as little of the machine as it
// can.
func (f fields) render(tmpl string) []byte {
	out := make([]byte, 0, len(tmpl)+128)
	for {
		i := strings.IndexByte(tmpl, '@')
		if i < 0 {
			return append(out, tmpl...)
		}
		j := strings.IndexByte(tmpl[i+1:], '@')
		if j < 0 {
			return append(out, tmpl...)
		}
		var v string
		switch tmpl[i+1 : i+1+j] {
		case "CART":
			v = f.cart
		case "CHK":
			v = f.chk
		case "T0":
			v = f.t0
		case "TU":
			v = f.tu
		case "PRICE":
			v = f.price
		case "EMAIL":
			v = "shopper" + f.n + "@example.com"
		case "N":
			v = f.n
		default: // an @ of the payload itself, such as an e-mail address's
			out = append(out, tmpl[:i+1]...)
			tmpl = tmpl[i+1:]
			continue
		}
		out = append(append(out, tmpl[:i]...), v...)
		tmpl = tmpl[i+2+j:]
	}
}

// Poster posts signed deliveries to an app.
type Poster struct {
	BaseURL string
	Secret  string
	Client  *http.Client
}

// Post signs d as Shopify does and posts it; it returns the status code.
func (p *Poster) Post(ctx context.Context, d Delivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.BaseURL+"/webhooks", bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", d.Topic)
	req.Header.Set("X-Shopify-Shop-Domain", d.Shop)
	req.Header.Set("X-Shopify-Webhook-Id", d.ID)
	req.Header.Set("X-Shopify-Event-Id", "evt-"+d.ID)
	req.Header.Set("X-Shopify-API-Version", "2026-10")
	req.Header.Set("X-Shopify-Triggered-At", time.Now().UTC().Format(time.RFC3339Nano))
	req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(d.Body, p.Secret))
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// Interleave merges journeys into one stream the way a store's traffic
// looks: up to window shoppers at a time, each delivery picked from a
// random open journey, so a journey's own deliveries stay in order.
func Interleave(journeys [][]Delivery, window int, rng *rand.Rand) []Delivery {
	var out []Delivery
	InterleaveFunc(window, rng, func() ([]Delivery, bool) {
		if len(journeys) == 0 {
			return nil, false
		}
		j := journeys[0]
		journeys = journeys[1:]
		return j, true
	}, func(d Delivery) bool {
		out = append(out, d)
		return true
	})
	return out
}

// InterleaveFunc is Interleave over journeys made as they are needed: it
// opens the next journey from next whenever fewer than window are open, so
// the work of making them is spread over the stream, and hands each
// delivery to yield until next has no more or yield returns false.
func InterleaveFunc(window int, rng *rand.Rand, next func() ([]Delivery, bool), yield func(Delivery) bool) {
	open := make([][]Delivery, 0, window)
	more := true
	for {
		for more && len(open) < window {
			var j []Delivery
			if j, more = next(); more && len(j) > 0 {
				open = append(open, j)
			}
		}
		if len(open) == 0 {
			return
		}
		i := rng.IntN(len(open))
		if !yield(open[i][0]) {
			return
		}
		open[i] = open[i][1:]
		if len(open[i]) == 0 {
			open[i] = open[len(open)-1]
			open = open[:len(open)-1]
		}
	}
}
