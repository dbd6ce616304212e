package app

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

// demoFiles holds demo_payloads.json: the cart, checkout and order shapes
// the demo history is built from, trimmed from the Shopify fixtures. An
// embed.FS is read-only, so the package keeps no mutable state.
//
//go:embed demo_payloads.json
var demoFiles embed.FS

// DemoHistory describes the store history demo mode generates and how it
// is delivered: as signed webhooks to the running app's POST /webhooks,
// exactly as Shopify would send them, so the data takes the real path.
type DemoHistory struct {
	// BaseURL is the running app, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Shop receives the history; APIKey and Secret sign the webhooks and
	// the session token used to check for existing data.
	Shop, APIKey, Secret string
	// Now is the clock payload times are relative to (default time.Now).
	Now func() time.Time
	// Seed makes the history reproducible.
	Seed uint64
	// Sessions and Days size the history (defaults 3000 and 90); Workers
	// is how many webhooks are posted at once (default 4).
	Sessions, Days, Workers int
	// Client posts the webhooks (default: a client with a 30 s timeout).
	Client *http.Client
	// Progress receives a line now and then; nil is silent.
	Progress io.Writer
	// FlagAbandoned runs the abandonment scan once every journey has been
	// delivered, before the late orders that win back some abandoned
	// checkouts, so that those count as recovered. Nil skips the scan, and
	// the late orders then count as plain completions.
	FlagAbandoned func(ctx context.Context) error
}

// DemoWebhook is one signed delivery of the demo history.
type DemoWebhook struct {
	Topic string
	ID    string
	At    time.Time
	Body  []byte
}

// demoJourney is one generated shopper.
type demoJourney struct {
	n         int
	start     time.Time
	stop      funnel.Stage
	express   bool
	recovered bool
	source    string
	country   string
	returning bool
	items     []demoItem
}

type demoItem struct {
	title string
	cents int64
	qty   int64
}

// demoCatalog is what the demo store sells.
func demoCatalog() []demoItem {
	return []demoItem{
		{"Merino Wool Beanie", 28_00, 1}, {"Organic Cotton T-Shirt", 32_00, 1}, {"Canvas Tote Bag", 19_00, 1},
		{"Trail Running Socks (3 pack)", 24_00, 1}, {"Waxed Rain Jacket", 189_00, 1}, {"Leather Card Wallet", 45_00, 1},
		{"Ceramic Pour-Over Set", 64_00, 1}, {"Linen Throw Blanket", 120_00, 1}, {"Stainless Water Bottle", 35_00, 1},
	}
}

// weighted picks a key by weight.
func weighted[T any](rng *rand.Rand, items []T, weight func(T) int) T {
	total := 0
	for _, it := range items {
		total += weight(it)
	}
	n := rng.IntN(total)
	for _, it := range items {
		if n -= weight(it); n < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

type demoSource struct {
	name string
	w    int
	// factor scales the cart→checkout and payment→order rates.
	factor float64
}

type demoCountry struct {
	code, name, city, zip string
	w                     int
}

func (h *DemoHistory) defaults() {
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Sessions <= 0 {
		h.Sessions = 3000
	}
	if h.Days <= 0 {
		h.Days = 90
	}
	if h.Workers <= 0 {
		h.Workers = 4
	}
	if h.Client == nil {
		h.Client = &http.Client{Timeout: 30 * time.Second}
	}
}

// journeys generates the shoppers: plausible stage rates that differ by
// source and by new or returning shopper, several countries, express
// checkouts, and a few abandoned checkouts won back days later.
func (h DemoHistory) journeys() []demoJourney {
	h.defaults()
	rng := rand.New(rand.NewPCG(h.Seed, 0x5eed))
	now := h.Now().UTC().Truncate(time.Second)
	sources := []demoSource{
		{"web", 38, 1.0}, {"google", 22, 0.95}, {"instagram", 16, 0.7}, {"email", 10, 1.3}, {"facebook", 8, 0.8}, {"tiktok", 6, 0.6},
	}
	countries := []demoCountry{
		{"US", "United States", "Portland", "97201", 45}, {"CA", "Canada", "Ottawa", "K1A 0B1", 15}, {"GB", "United Kingdom", "Leeds", "LS1 4AP", 12},
		{"DE", "Germany", "Hamburg", "20095", 10}, {"AU", "Australia", "Brisbane", "4000", 8}, {"FR", "France", "Lyon", "69001", 6}, {"NL", "Netherlands", "Utrecht", "3511", 4},
	}
	catalog := demoCatalog()
	span := time.Duration(h.Days) * 24 * time.Hour
	out := make([]demoJourney, 0, h.Sessions)
	for n := 1; n <= h.Sessions; n++ {
		// Recent days are busier: the store is growing.
		frac := rng.Float64()
		if rng.IntN(10) < 4 {
			frac = 1 - math.Sqrt(frac)
		}
		age := time.Duration(frac * float64(span))
		j := demoJourney{
			n:         n,
			start:     now.Add(-age).Add(-10 * time.Minute),
			source:    weighted(rng, sources, func(s demoSource) int { return s.w }).name,
			returning: rng.IntN(100) < 25,
		}
		c := weighted(rng, countries, func(c demoCountry) int { return c.w })
		j.country = c.code
		factor := 1.0
		for _, s := range sources {
			if s.name == j.source {
				factor = s.factor
			}
		}
		if j.returning {
			factor *= 1.25
		}
		for k := 0; k < 1+rng.IntN(3); k++ {
			it := catalog[rng.IntN(len(catalog))]
			it.qty = int64(1 + rng.IntN(2))
			j.items = append(j.items, it)
		}
		steps := []float64{0.47 * factor, 0.84, 0.86, 0.87, 0.67 * factor}
		j.stop = funnel.StageAddedToCart
		for _, p := range steps {
			if rng.Float64() >= min(p, 0.97) {
				break
			}
			j.stop++
		}
		if j.stop == funnel.StageCompleted {
			j.express = rng.IntN(100) < 15
		}
		// Some checkouts with contact details, abandoned days ago, come back.
		if j.stop >= funnel.StageContactSubmitted && j.stop < funnel.StageCompleted && age > 5*24*time.Hour && rng.IntN(100) < 12 {
			j.recovered = true
		}
		out = append(out, j)
	}
	return out
}

// Webhooks returns the history as deliveries: first every journey as it
// happened, then the late orders of recovered checkouts. Payload times are
// relative to Now, and nothing later than Now is sent.
func (h DemoHistory) Webhooks() (journeys, late []DemoWebhook, err error) {
	h.defaults()
	var shapes struct {
		Cart, Checkout, Order map[string]any
	}
	raw, err := demoFiles.ReadFile("demo_payloads.json")
	if err != nil {
		return nil, nil, fmt.Errorf("demo: reading payload shapes: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&shapes); err != nil {
		return nil, nil, fmt.Errorf("demo: reading payload shapes: %w", err)
	}
	now := h.Now().UTC()
	countries := map[string][3]string{
		"US": {"United States", "Portland", "97201"}, "CA": {"Canada", "Ottawa", "K1A 0B1"}, "GB": {"United Kingdom", "Leeds", "LS1 4AP"},
		"DE": {"Germany", "Hamburg", "20095"}, "AU": {"Australia", "Brisbane", "4000"}, "FR": {"France", "Lyon", "69001"}, "NL": {"Netherlands", "Utrecht", "3511"},
	}
	rng := rand.New(rand.NewPCG(h.Seed, 0x7143))
	for _, j := range h.journeys() {
		cart := fmt.Sprintf("demo-cart-%05d", j.n)
		chk := fmt.Sprintf("demo-chk-%05d", j.n)
		at := j.start
		stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
		var total int64
		for _, it := range j.items {
			total += it.cents * it.qty
		}
		money := funnel.FormatMoney(total)
		var seq int
		emit := func(list *[]DemoWebhook, topic string, t time.Time, p map[string]any) error {
			if t.After(now) {
				return nil
			}
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			seq++
			*list = append(*list, DemoWebhook{Topic: topic, ID: fmt.Sprintf("demo-%05d-%d", j.n, seq), At: t, Body: b})
			return nil
		}
		lines := func(base map[string]any) []any {
			tmpl := firstLine(base)
			var out []any
			for k, it := range j.items {
				li := clonePayload(tmpl)
				li["id"] = j.n*10 + k
				li["title"] = it.title
				li["quantity"] = it.qty
				li["price"] = funnel.FormatMoney(it.cents)
				li["line_price"] = funnel.FormatMoney(it.cents * it.qty)
				li["requires_shipping"] = true
				delete(li, "discounts")
				delete(li, "total_discount")
				for _, k := range []string{"discounted_price_set", "original_line_price_set", "price_set", "total_discount_set"} {
					delete(li, k)
				}
				// Carts name their currency only inside the money sets.
				amount := map[string]any{"amount": li["line_price"], "currency_code": "USD"}
				li["line_price_set"] = map[string]any{"shop_money": amount, "presentment_money": amount}
				out = append(out, li)
			}
			return out
		}
		c := clonePayload(shapes.Cart)
		c["id"], c["token"], c["line_items"] = cart, cart, lines(shapes.Cart)
		c["created_at"], c["updated_at"] = stamp(at), stamp(at)
		if err := emit(&journeys, shopify.TopicCartsCreate, at, c); err != nil {
			return nil, nil, err
		}
		if rng.IntN(100) < 30 {
			c2 := clonePayload(c)
			t := at.Add(time.Duration(1+rng.IntN(8)) * time.Minute)
			c2["updated_at"] = stamp(t)
			if err := emit(&journeys, shopify.TopicCartsUpdate, t, c2); err != nil {
				return nil, nil, err
			}
		}
		email := fmt.Sprintf("shopper%05d@example.com", j.n)
		var customer any
		if j.returning {
			customer = map[string]any{"id": 9_000_000 + j.n, "email": email, "orders_count": 1 + rng.IntN(5)}
		}
		addr := map[string]any{
			"first_name": "Demo", "last_name": fmt.Sprintf("Shopper %d", j.n), "address1": fmt.Sprintf("%d Market Street", 1+j.n%400),
			"city": countries[j.country][1], "zip": countries[j.country][2], "country": countries[j.country][0], "country_code": j.country,
		}
		orderAt := func(t time.Time, cartToken, chkToken string) map[string]any {
			o := clonePayload(shapes.Order)
			o["id"] = 5_000_000_000 + j.n
			o["name"] = fmt.Sprintf("#%d", 1000+j.n)
			o["order_number"], o["number"] = 1000+j.n, j.n
			o["token"] = fmt.Sprintf("demo-order-%05d", j.n)
			o["cart_token"], o["checkout_token"], o["checkout_id"] = cartToken, chkToken, 7_000_000+j.n
			o["created_at"], o["processed_at"], o["updated_at"] = stamp(t), stamp(t), stamp(t)
			o["total_price"], o["subtotal_price"], o["total_tax"], o["total_discounts"] = money, money, "0.00", "0.00"
			o["currency"], o["presentment_currency"] = "USD", "USD"
			o["email"], o["contact_email"], o["phone"] = email, email, nil
			o["source_name"] = j.source
			o["landing_site"], o["referring_site"] = "/", ""
			o["payment_gateway_names"] = []any{[]string{"shopify_payments", "paypal", "shop_pay"}[j.n%3]}
			o["shipping_address"], o["billing_address"] = addr, addr
			o["test"] = false
			orders := 1
			if j.returning {
				orders = 2 + j.n%4
			}
			o["customer"] = map[string]any{"id": 9_000_000 + j.n, "email": email, "orders_count": orders}
			li := lines(shapes.Order)
			for _, l := range li {
				delete(l.(map[string]any), "line_price")
			}
			o["line_items"] = li
			return o
		}
		at = at.Add(time.Duration(2+rng.IntN(25)) * time.Minute)
		if j.stop < funnel.StageCheckoutStarted {
			continue
		}
		if j.express {
			if err := emit(&journeys, shopify.TopicOrdersCreate, at, orderAt(at, cart, "")); err != nil {
				return nil, nil, err
			}
			continue
		}
		base := clonePayload(shapes.Checkout)
		base["token"], base["cart_token"] = chk, cart
		base["total_price"], base["subtotal_price"], base["total_tax"] = money, money, "0.00"
		base["currency"], base["presentment_currency"] = "USD", "USD"
		base["email"], base["phone"], base["customer"] = nil, nil, nil
		base["shipping_address"], base["billing_address"], base["shipping_lines"] = nil, nil, []any{}
		base["source_name"], base["landing_site"], base["referring_site"] = j.source, "/products", referrer(j.source)
		base["abandoned_checkout_url"] = fmt.Sprintf("https://%s/checkouts/%s/recover?key=demo%05d", h.Shop, chk, j.n)
		base["line_items"] = lines(shapes.Checkout)
		base["created_at"], base["updated_at"] = stamp(at), stamp(at)
		if err := emit(&journeys, shopify.TopicCheckoutsCreate, at, base); err != nil {
			return nil, nil, err
		}
		step := base
		next := func(fields map[string]any, minutes int) error {
			at = at.Add(time.Duration(30+rng.IntN(minutes*60)) * time.Second)
			step = clonePayload(step)
			for k, v := range fields {
				step[k] = v
			}
			step["updated_at"] = stamp(at)
			return emit(&journeys, shopify.TopicCheckoutsUpdate, at, step)
		}
		if j.stop >= funnel.StageContactSubmitted {
			if err := next(map[string]any{"email": email, "customer": customer}, 3); err != nil {
				return nil, nil, err
			}
		}
		if j.stop >= funnel.StageAddressSubmitted {
			if err := next(map[string]any{"shipping_address": addr, "billing_address": addr}, 4); err != nil {
				return nil, nil, err
			}
		}
		if j.stop >= funnel.StagePaymentReached {
			ship := []any{map[string]any{"code": "Standard", "title": "Standard shipping", "price": "6.00", "source": "shopify"}}
			if err := next(map[string]any{"shipping_lines": ship}, 3); err != nil {
				return nil, nil, err
			}
		}
		if j.stop == funnel.StageCompleted {
			at = at.Add(time.Duration(1+rng.IntN(5)) * time.Minute)
			if err := emit(&journeys, shopify.TopicOrdersCreate, at, orderAt(at, cart, chk)); err != nil {
				return nil, nil, err
			}
		}
		if j.recovered {
			back := at.Add(time.Duration(24+rng.IntN(72)) * time.Hour)
			if err := emit(&late, shopify.TopicOrdersCreate, back, orderAt(back, cart, chk)); err != nil {
				return nil, nil, err
			}
		}
	}
	return journeys, late, nil
}

func referrer(source string) string {
	switch source {
	case "google":
		return "https://www.google.com/"
	case "instagram":
		return "https://l.instagram.com/"
	case "facebook":
		return "https://m.facebook.com/"
	case "tiktok":
		return "https://www.tiktok.com/"
	}
	return ""
}

// firstLine returns a copy of the first line item of a payload shape.
func firstLine(p map[string]any) map[string]any {
	items, _ := p["line_items"].([]any)
	if len(items) == 0 {
		return map[string]any{}
	}
	li, _ := items[0].(map[string]any)
	return clonePayload(li)
}

// clonePayload deep-copies a decoded JSON object.
func clonePayload(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = cloneJSON(v)
	}
	return out
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return clonePayload(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}

// FillDemo delivers the demo history to the running app unless the shop
// already has sessions (a restarted demo keeps its data). It reports how
// many webhooks it posted.
func FillDemo(ctx context.Context, h DemoHistory) (int, error) {
	h.defaults()
	has, err := h.hasSessions(ctx)
	if err != nil {
		return 0, err
	}
	if has {
		h.progress("demo data: the demo shop already has its history\n")
		return 0, nil
	}
	journeys, late, err := h.Webhooks()
	if err != nil {
		return 0, err
	}
	total := len(journeys) + len(late)
	h.progress("demo data: delivering %d webhooks for %d shoppers over %d days…\n", total, h.Sessions, h.Days)
	started := time.Now()
	sent := &atomic.Int64{}
	if err := h.post(ctx, journeys, sent, total); err != nil {
		return int(sent.Load()), err
	}
	if h.FlagAbandoned != nil && len(late) > 0 {
		if err := h.FlagAbandoned(ctx); err != nil {
			return int(sent.Load()), fmt.Errorf("demo: abandonment scan: %w", err)
		}
		if err := h.post(ctx, late, sent, total); err != nil {
			return int(sent.Load()), err
		}
	}
	h.progress("demo data: %d webhooks delivered in %s\n", sent.Load(), time.Since(started).Round(100*time.Millisecond))
	return int(sent.Load()), nil
}

func (h DemoHistory) progress(format string, args ...any) {
	if h.Progress != nil {
		_, _ = fmt.Fprintf(h.Progress, format, args...) // progress is a courtesy: a failed write must not stop the demo
	}
}

// hasSessions asks the app, as the embedded page would, whether the shop
// has any session in the last year.
func (h DemoHistory) hasSessions(ctx context.Context) (bool, error) {
	now := h.Now()
	tok, err := shopify.MintSessionToken(h.APIKey, h.Secret, h.Shop, "1", now, time.Minute)
	if err != nil {
		return false, err
	}
	q := url.Values{"per_page": {"1"}, "from": {now.UTC().AddDate(0, 0, -365).Format(dateLayout)}, "to": {now.UTC().Format(dateLayout)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.BaseURL+"/api/sessions?"+q.Encode(), nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := h.Client.Do(req)
	if err != nil {
		return false, fmt.Errorf("demo: checking for existing data: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var page struct{ Total int64 }
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("demo: checking for existing data: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return false, fmt.Errorf("demo: checking for existing data: %w", err)
	}
	return page.Total > 0, nil
}

// post delivers webhooks with a few concurrent posters, retrying a 5xx as
// Shopify does.
func (h DemoHistory) post(ctx context.Context, list []DemoWebhook, sent *atomic.Int64, total int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan DemoWebhook)
	var wg sync.WaitGroup
	step := int64(max(total/10, 1))
	for range h.Workers {
		wg.Go(func() {
			for d := range work {
				if err := h.deliver(ctx, d); err != nil {
					cancel(err)
					return
				}
				if n := sent.Add(1); n%step == 0 {
					h.progress("demo data: %d/%d webhooks\n", n, total)
				}
			}
		})
	}
feed:
	for _, d := range list {
		select {
		case work <- d:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

func (h DemoHistory) deliver(ctx context.Context, d DemoWebhook) error {
	var last error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.BaseURL+"/webhooks", bytes.NewReader(d.Body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Topic", d.Topic)
		req.Header.Set("X-Shopify-Shop-Domain", h.Shop)
		req.Header.Set("X-Shopify-Webhook-Id", d.ID)
		req.Header.Set("X-Shopify-Event-Id", "evt-"+d.ID)
		req.Header.Set("X-Shopify-API-Version", DefaultAPIVersion)
		req.Header.Set("X-Shopify-Triggered-At", d.At.UTC().Format(time.RFC3339Nano))
		req.Header.Set("X-Shopify-Hmac-Sha256", shopify.SignWebhook(d.Body, h.Secret))
		resp, err := h.Client.Do(req)
		if err != nil {
			last = err
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode >= http.StatusInternalServerError:
			last = fmt.Errorf("demo: %s %s: %s", d.Topic, d.ID, resp.Status)
		default:
			return fmt.Errorf("demo: %s %s refused: %s", d.Topic, d.ID, resp.Status)
		}
	}
	return last
}
