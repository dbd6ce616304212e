// Package loadgen makes realistic, signed Shopify webhook deliveries for
// the benchmarks (go run ./bench) and the fault tests (./faults): the
// journey generator's shoppers (demo/journeys), drawn from the bench's
// mix, rendered from the Shopify fixtures of the repository's
// testdata/shopify.
//
// A journey is one shopper's cart: carts/create, one to three
// carts/update, then, depending on how far the shopper gets,
// checkouts/create, checkouts/update for contact, address and shipping
// line, and orders/create. Most deliveries are therefore cart and checkout
// updates, as on a real store. Payloads are rendered from templates made
// once from the fixtures, so generating a delivery costs a few appends,
// not a JSON encoding.
package loadgen

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
)

// Delivery is one webhook to post to its shop, with what the generator
// knows of the session after it (for writing the same rows without the
// app).
type Delivery = journeys.Webhook

// Templates renders journeys from the fixtures.
type Templates struct {
	payloads *journeys.Payloads
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

// Load reads the cart, checkout and order fixtures in dir and makes the
// templates.
func Load(dir string) (*Templates, error) {
	var shapes [3][]byte
	for i, name := range []string{"carts_create.json", "checkouts_create.json", "orders_create.rest-order-fixture.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("loadgen: %w", err)
		}
		shapes[i] = b
	}
	p, err := journeys.NewPayloads(shapes[0], shapes[1], shapes[2])
	if err != nil {
		return nil, fmt.Errorf("loadgen: %s: %w", dir, err)
	}
	return &Templates{payloads: p}, nil
}

// rates are the bench's stage rates: of every 100 shoppers about 45 stop
// at the cart, 20 at checkout, 9 after contact, 6 after address, 5 at
// payment, and 15 order.
var rates = [5]float64{55.0 / 100, 35.0 / 55, 26.0 / 35, 20.0 / 26, 15.0 / 20}

// Mix is the bench's crowd, drawn the same for the same seed: carts of
// one or two items created within span before end, web shoppers from
// Ottawa, at the bench's stage rates; each cart is updated one to three
// times, each update adding one more of its last item, before a checkout
// that starts 7.5 to 12.5 minutes after the cart, with steps 10 s to 3
// min apart. Tokens and webhook ids start with prefix.
func Mix(prefix string, end time.Time, span time.Duration, seed uint64) journeys.Mix {
	step := journeys.Delay{From: 10 * time.Second, To: 179 * time.Second, Step: time.Second}
	return journeys.Mix{
		Seed: seed, Prefix: prefix, End: end, Span: span,
		Sources:   []journeys.Source{{Name: "web", Weight: 1}},
		Countries: []journeys.WeightedCountry{{Country: journeys.Country{Code: "CA", Name: "Canada", City: "Ottawa", Zip: "K1A 0B1"}, Weight: 1}},
		Catalog: []journeys.Item{
			{Title: "Example T-Shirt - Small", Cents: 19_99}, {Title: "Example Hoodie", Cents: 54_00},
			{Title: "IPod Nano - 8GB", Cents: 199_00}, {Title: "Sticker Pack", Cents: 4_50},
		},
		Lines: 2, Qty: 3,
		Rates:   rates,
		Updates: 100, MostUpdates: 3, UpdateAdds: true,
		UpdateAfter:   journeys.Delay{From: 20 * time.Second, To: 139 * time.Second, Step: time.Second},
		CheckoutAfter: journeys.Delay{From: 450 * time.Second, To: 750 * time.Second, Step: time.Second},
		StepAfter:     [3]journeys.Delay{step, step, step},
		OrderAfter:    step,
	}
}

// Stop draws how far a shopper gets at the bench's rates.
func Stop(rng *rand.Rand) funnel.Stage {
	return journeys.Mix{Rates: rates}.Reach(rng, 1)
}

// Journey returns the deliveries of shopper s to shop, in time order; the
// caller interleaves.
func (t *Templates) Journey(shop string, s journeys.Shopper) []Delivery {
	return t.payloads.Render(shop, s)
}

// Poster posts signed deliveries to an app.
type Poster struct {
	BaseURL string
	Secret  string
	Client  *http.Client
}

// Post signs d as Shopify does, triggered now, and posts it; it returns
// the status code.
func (p *Poster) Post(ctx context.Context, d Delivery) (int, error) {
	signed := shopify.WebhookDelivery{Topic: d.Topic, ShopDomain: d.Shop, WebhookID: d.ID, TriggeredAt: time.Now()}
	req, err := signed.NewRequest(ctx, p.BaseURL+"/webhooks", d.Body, p.Secret)
	if err != nil {
		return 0, err
	}
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
