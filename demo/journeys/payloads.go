package journeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// Webhook is one delivery of a shopper's journey, with what the generator
// knows of the session after it (for writing the same rows without the
// app, as the benchmarks' ceiling does).
type Webhook struct {
	Topic, Shop, ID string
	// At is when it happened: the payload's updated_at, to the nanosecond.
	At   time.Time
	Body []byte
	// Key is the session's key (its cart token), Checkout its checkout
	// token ("" before the checkout and for an express order), Start when
	// its cart was created.
	Key, Checkout string
	Start         time.Time
	// Stage is the stage the delivery reaches, Cents the cart's value
	// after it.
	Stage funnel.Stage
	Cents int64
	// Late marks the order of a recovered checkout, which comes after the
	// abandonment scan has had its chance.
	Late bool
}

// Payloads renders shoppers' webhooks from one store's payload shapes.
// Rendering fills templates made once from the shapes, so a webhook costs
// a few appends, not a JSON encoding: the load generator makes thousands
// a second.
type Payloads struct {
	cart, checkout, order             *template
	cartLine, checkoutLine, orderLine *template
	// scratch keeps renders' scratch space for the next one: what Render
	// returns is copied out of it.
	scratch sync.Pool
}

// NewPayloads makes Payloads from a cart, a checkout and an order in the
// JSON Shopify sends (the repository's fixtures, or shapes trimmed from
// them). The fields a journey sets — tokens, times, money, contact,
// address, customer, source, line items — are replaced; every other field
// stays as the shape has it. Each shape's first line item is the shape of
// every line.
func NewPayloads(cart, checkout, order []byte) (*Payloads, error) {
	var shapes [3]map[string]any
	for i, raw := range [][]byte{cart, checkout, order} {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // ids stay as the shape wrote them
		if err := dec.Decode(&shapes[i]); err != nil {
			return nil, fmt.Errorf("journeys: reading the %s shape: %w", []string{"cart", "checkout", "order"}[i], err)
		}
	}
	p := &Payloads{}
	var err error
	for _, c := range []struct {
		dst   **template
		shape map[string]any
		plan  map[string]any
	}{
		{&p.cart, shapes[0], cartPlan()},
		{&p.checkout, shapes[1], checkoutPlan()},
		{&p.order, shapes[2], orderPlan()},
		{&p.cartLine, firstLine(shapes[0]), linePlan(firstLine(shapes[0]), true)},
		{&p.checkoutLine, firstLine(shapes[1]), linePlan(firstLine(shapes[1]), true)},
		{&p.orderLine, firstLine(shapes[2]), linePlan(firstLine(shapes[2]), false)},
	} {
		if *c.dst, err = compile(c.shape, c.plan); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// The plans of the cart, the checkout and the order: the fields a journey
// sets, each to a hole or a constant.
func cartPlan() map[string]any {
	return map[string]any{
		"id": hCart, "token": hCart, "line_items": hLines, "created_at": hCreated, "updated_at": hUpdated,
	}
}

func checkoutPlan() map[string]any {
	return map[string]any{
		"token": hCheckout, "cart_token": hCart, "total_price": hMoney, "subtotal_price": hMoney, "total_tax": "0.00",
		"currency": "USD", "presentment_currency": "USD", "email": hEmail, "phone": nil, "customer": hCustomer,
		"shipping_address": hAddress, "billing_address": hAddress, "shipping_lines": hShipping,
		"source_name": hSource, "landing_site": "/products", "referring_site": hReferrer, "abandoned_checkout_url": hRecovery,
		"line_items": hLines, "created_at": hCreated, "updated_at": hUpdated,
	}
}

func orderPlan() map[string]any {
	return map[string]any{
		"id": hOrderID, "name": hOrderName, "order_number": hOrderNumber, "number": hNumber, "token": hOrderToken,
		"cart_token": hCart, "checkout_token": hCheckout, "checkout_id": hCheckoutID,
		"created_at": hUpdated, "processed_at": hUpdated, "updated_at": hUpdated,
		"total_price": hMoney, "subtotal_price": hMoney, "total_tax": "0.00", "total_discounts": "0.00",
		"currency": "USD", "presentment_currency": "USD", "email": hEmail, "contact_email": hEmail, "phone": nil,
		"source_name": hSource, "landing_site": hLanding, "referring_site": "", "payment_gateway_names": hGateways,
		"shipping_address": hAddress, "billing_address": hAddress, "test": false, "customer": hCustomer, "line_items": hLines,
	}
}

// linePlan is the plan of a line item shaped like shape: the line's id,
// title, quantity and price, and every other amount of it the shape
// names made to agree with them — no discount, no tax (the payloads'
// totals have none). Orders name no line price outside its money set;
// carts name their currency only inside the money sets.
func linePlan(shape map[string]any, linePrice bool) map[string]any {
	set := func(amount any) map[string]any {
		money := map[string]any{"amount": amount, "currency_code": "USD"}
		return map[string]any{"shop_money": money, "presentment_money": money}
	}
	plan := map[string]any{
		"id": hLineID, "title": hTitle, "quantity": hQty, "price": hPrice, "requires_shipping": true,
		"line_price_set": set(hLinePrice),
	}
	if linePrice {
		plan["line_price"] = hLinePrice
	}
	for k, v := range map[string]any{
		"original_price": hPrice, "discounted_price": hPrice, "variant_price": hPrice, "original_line_price": hLinePrice,
		"total_discount": "0.00", "discounts": []any{}, "applied_discounts": []any{}, "discount_allocations": []any{}, "tax_lines": []any{},
		"price_set": set(hPrice), "discounted_price_set": set(hPrice), "original_line_price_set": set(hLinePrice), "total_discount_set": set("0.00"),
	} {
		if _, ok := shape[k]; ok {
			plan[k] = v
		}
	}
	return plan
}

// firstLine is the first line item of a shape, or an empty one.
func firstLine(shape map[string]any) map[string]any {
	items, _ := shape["line_items"].([]any)
	if len(items) > 0 {
		if li, ok := items[0].(map[string]any); ok {
			return li
		}
	}
	return map[string]any{}
}

// Fixed encodings that fill holes; they are only ever copied from.
var (
	jsonNull  = []byte("null")
	noLines   = []byte("[]")
	shipLines = []byte(`[{"code":"Standard","price":"6.00","source":"shopify","title":"Standard shipping"}]`)
	gateways  = [3][]byte{[]byte(`["shopify_payments"]`), []byte(`["paypal"]`), []byte(`["shop_pay"]`)}
)

// Render returns the webhooks of s's journey to shop, in the order they
// happened: carts/create, each carts/update, then, as far as s gets,
// checkouts/create and a checkouts/update for the contact, the address
// and the shipping line, then orders/create (at once for an express
// checkout); a recovered checkout's late order comes last. Webhook ids are
// the cart token, "-" and the delivery's number from 1, so they are unique
// wherever the cart tokens are. Render is safe for concurrent use.
func (p *Payloads) Render(shop string, s Shopper) []Webhook {
	r, _ := p.scratch.Get().(*render)
	if r == nil {
		r = &render{}
	}
	*r = render{p: p, shop: shop, s: s, items: s.Items, out: make([]Webhook, 0, count(s)),
		arena: r.arena[:0], lines: r.lines[:0], lineOf: r.lineOf[:0]}
	defer func() {
		*r = render{arena: r.arena[:0], lines: r.lines[:0], lineOf: r.lineOf[:0]}
		p.scratch.Put(r)
	}()
	r.cart()
	if s.Stop < funnel.StageCheckoutStarted {
		return r.out
	}
	r.v.h[hMoney] = r.str(funnel.FormatMoney(Cents(r.items)))
	r.v.h[hSource], r.v.h[hReferrer] = r.str(s.Source), r.str(s.Referrer)
	r.addr = jsonNull
	if s.Country != (Country{}) {
		r.addr = r.address()
	}
	if !s.Express {
		r.checkout()
	}
	if s.Stop == funnel.StageCompleted || !s.Recovered.IsZero() {
		r.order()
	}
	return r.out
}

// render is one shopper's rendering: the holes' values as the journey
// goes on, and the webhooks so far.
type render struct {
	p     *Payloads
	shop  string
	s     Shopper
	items []Item // the cart as it is now
	addr  []byte // the shopper's address, or null
	v     values
	// arena holds the encoded values, so that a shopper costs a few
	// allocations, not one per value.
	arena []byte
	// lines are the line items rendered from lineT, each from the item of
	// lineOf beside it: an item rendered once serves every body.
	lineT  *template
	lines  [][]byte
	lineOf []Item
	out    []Webhook
}

func (r *render) cart() {
	start := r.s.At[funnel.StageAddedToCart]
	r.v.h[hCart] = r.str(r.s.Cart)
	r.v.h[hCreated] = r.stamp(start)
	r.v.h[hUpdated] = r.v.h[hCreated]
	r.setLines(r.p.cartLine)
	r.emit(shopify.TopicCartsCreate, r.p.cart, start, funnel.StageAddedToCart, "", false)
	for _, u := range r.s.Updates {
		if u.Items != nil {
			r.items = u.Items
			r.setLines(r.p.cartLine)
		}
		r.v.h[hUpdated] = r.stamp(u.At)
		r.emit(shopify.TopicCartsUpdate, r.p.cart, u.At, funnel.StageAddedToCart, "", false)
	}
}

// checkout renders checkouts/create and a checkouts/update for each step
// the shopper takes, each snapshot adding its step to the ones before.
func (r *render) checkout() {
	s := r.s
	r.v.h[hCheckout] = r.str(s.Checkout)
	r.v.h[hEmail], r.v.h[hCustomer], r.v.h[hAddress], r.v.h[hShipping] = jsonNull, jsonNull, jsonNull, noLines
	r.v.h[hRecovery] = r.str("https://", r.shop, "/checkouts/", s.Checkout, "/recover?key=", s.Cart)
	r.setLines(r.p.checkoutLine)
	at := s.At[funnel.StageCheckoutStarted]
	r.v.h[hCreated] = r.stamp(at)
	r.v.h[hUpdated] = r.v.h[hCreated]
	r.emit(shopify.TopicCheckoutsCreate, r.p.checkout, at, funnel.StageCheckoutStarted, s.Checkout, false)
	for st := funnel.StageContactSubmitted; st <= min(s.Stop, funnel.StagePaymentReached); st++ {
		switch st {
		case funnel.StageContactSubmitted:
			r.v.h[hEmail] = r.str(s.Email)
			if s.SignedIn {
				r.v.h[hCustomer] = r.customer(s.Email, s.PriorOrders)
			}
		case funnel.StageAddressSubmitted:
			r.v.h[hAddress] = r.addr
		default:
			r.v.h[hShipping] = shipLines
		}
		r.v.h[hUpdated] = r.stamp(s.At[st])
		r.emit(shopify.TopicCheckoutsUpdate, r.p.checkout, s.At[st], st, s.Checkout, false)
	}
}

// order renders orders/create: the order, and a recovered checkout's
// late one.
func (r *render) order() {
	s := r.s
	n := int64(s.N)
	r.v.h[hOrderID], r.v.h[hNumber], r.v.h[hCheckoutID] = r.int(5_000_000_000+n), r.int(n), r.int(7_000_000+n)
	r.v.h[hOrderName], r.v.h[hOrderNumber] = r.str("#", strconv.FormatInt(1000+n, 10)), r.int(1000+n)
	r.v.h[hOrderToken] = r.str("order-", s.Cart)
	r.v.h[hGateways] = gateways[gatewayIndex(&s)]
	r.v.h[hEmail] = r.str(s.Email)
	r.setLines(r.p.orderLine)
	checkout := s.Checkout
	if s.Express {
		checkout = ""
	}
	r.v.h[hCheckout] = r.str(checkout)
	r.v.h[hAddress], r.v.h[hLanding] = r.addr, r.str("/")
	r.v.h[hCustomer] = r.customer(s.Email, s.PriorOrders+1)
	if s.BareOrder {
		r.v.h[hAddress], r.v.h[hSource], r.v.h[hLanding] = jsonNull, r.str(""), r.str("")
		r.v.h[hCustomer] = r.customer("", -1)
	}
	if s.Stop == funnel.StageCompleted {
		at := s.At[funnel.StageCompleted]
		r.v.h[hUpdated] = r.stamp(at)
		r.emit(shopify.TopicOrdersCreate, r.p.order, at, funnel.StageCompleted, checkout, false)
	}
	if !s.Recovered.IsZero() {
		r.v.h[hUpdated] = r.stamp(s.Recovered)
		r.emit(shopify.TopicOrdersCreate, r.p.order, s.Recovered, funnel.StageCompleted, checkout, true)
	}
}

func (r *render) emit(topic string, t *template, at time.Time, stage funnel.Stage, checkout string, late bool) {
	r.out = append(r.out, Webhook{
		Topic: topic, Shop: r.shop, ID: r.s.Cart + "-" + strconv.Itoa(len(r.out)+1), At: at, Body: t.sized(&r.v),
		Key: r.s.Cart, Checkout: checkout, Start: r.s.At[funnel.StageAddedToCart], Stage: stage, Cents: Cents(r.items), Late: late,
	})
}

// setLines makes the cart's items, as it is now, the line items,
// rendered from line template t (again only where an item changed);
// shopper n's k-th line has id n*10+k.
func (r *render) setLines(t *template) {
	if t != r.lineT {
		r.lineT, r.lines, r.lineOf = t, r.lines[:0], r.lineOf[:0]
	}
	r.lines, r.lineOf = r.lines[:min(len(r.lines), len(r.items))], r.lineOf[:min(len(r.lineOf), len(r.items))]
	for k, it := range r.items {
		if k < len(r.lines) && r.lineOf[k] == it {
			continue
		}
		lv := lineValues{
			hLineID: r.int(int64(r.s.N*10 + k)), hTitle: r.str(it.Title), hQty: r.int(it.Qty),
			hPrice: r.str(funnel.FormatMoney(it.Cents)), hLinePrice: r.str(funnel.FormatMoney(it.Cents * it.Qty)),
		}
		i := len(r.arena)
		r.arena = t.renderLine(r.arena, &lv)
		line := r.arena[i:len(r.arena):len(r.arena)]
		if k < len(r.lines) {
			r.lines[k], r.lineOf[k] = line, it
		} else {
			r.lines, r.lineOf = append(r.lines, line), append(r.lineOf, it)
		}
	}
	r.v.setLines(r.lines)
}

// str, int and stamp encode a value into the arena and return it. The
// arena only grows, so a value returned earlier stays as it was. str
// encodes the concatenation of parts as one JSON string.
func (r *render) str(parts ...string) []byte {
	i := len(r.arena)
	if len(parts) == 1 {
		r.arena = appendString(r.arena, parts[0])
	} else {
		r.arena = appendString(r.arena, strings.Join(parts, ""))
	}
	return r.arena[i:len(r.arena):len(r.arena)]
}

func (r *render) int(n int64) []byte {
	i := len(r.arena)
	r.arena = strconv.AppendInt(r.arena, n, 10)
	return r.arena[i:len(r.arena):len(r.arena)]
}

// stamp is t as Shopify writes times, UTC to the second.
func (r *render) stamp(t time.Time) []byte {
	i := len(r.arena)
	r.arena = append(t.UTC().AppendFormat(append(r.arena, '"'), time.RFC3339), '"')
	return r.arena[i:len(r.arena):len(r.arena)]
}

// address is the shopper's shipping and billing address, its fields in
// the order encoding/json writes a map's, the country's empty ones left
// out.
func (r *render) address() []byte {
	s, c := r.s, r.s.Country
	i := len(r.arena)
	r.arena = append(r.arena, `{"address1":"`...)
	r.arena = append(strconv.AppendInt(r.arena, int64(1+s.N%400), 10), ` Market Street"`...)
	for _, f := range []struct{ name, value string }{
		{"city", c.City}, {"country", c.Name}, {"country_code", c.Code}, {"first_name", "Demo"},
		{"last_name", "Shopper " + strconv.Itoa(s.N)}, {"zip", c.Zip},
	} {
		if f.value != "" || f.name == "country_code" {
			r.arena = append(append(append(r.arena, ",\""...), f.name...), "\":"...)
			r.arena = appendString(r.arena, f.value)
		}
	}
	r.arena = append(r.arena, '}')
	return r.arena[i:len(r.arena):len(r.arena)]
}

// customer is the shopper's customer record: e-mail (if any), id, and
// orders_count (if not negative).
func (r *render) customer(email string, orders int) []byte {
	i := len(r.arena)
	r.arena = append(r.arena, '{')
	if email != "" {
		r.arena = append(appendString(append(r.arena, `"email":`...), email), ',')
	}
	r.arena = strconv.AppendInt(append(r.arena, `"id":`...), int64(9_000_000+r.s.N), 10)
	if orders >= 0 {
		r.arena = strconv.AppendInt(append(r.arena, `,"orders_count":`...), int64(orders), 10)
	}
	r.arena = append(r.arena, '}')
	return r.arena[i:len(r.arena):len(r.arena)]
}

// count is how many webhooks Render makes of s.
func count(s Shopper) int {
	n := 1 + len(s.Updates)
	if s.Stop >= funnel.StageCheckoutStarted && !s.Express {
		n += int(min(s.Stop, funnel.StagePaymentReached) - funnel.StageCheckoutStarted + 1)
	}
	if s.Stop == funnel.StageCompleted {
		n++
	}
	if !s.Recovered.IsZero() && s.Stop >= funnel.StageCheckoutStarted {
		n++
	}
	return n
}
