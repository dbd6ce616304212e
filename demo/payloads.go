package demo

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/funnelscope/funnelscope/demo/journeys"
)

// shapes is payloads.json: the cart, checkout and order shapes the demo
// history is built from, trimmed from the Shopify fixtures in
// testdata/shopify. Embedded, so the package reads no files and keeps no
// mutable state.
//
//go:embed payloads.json
var shapes []byte

// payloads makes the demo's payload templates from its shapes.
func payloads() (*journeys.Payloads, error) {
	var s struct{ Cart, Checkout, Order json.RawMessage }
	if err := json.Unmarshal(shapes, &s); err != nil {
		return nil, fmt.Errorf("demo: reading payload shapes: %w", err)
	}
	p, err := journeys.NewPayloads(s.Cart, s.Checkout, s.Order)
	if err != nil {
		return nil, fmt.Errorf("demo: reading payload shapes: %w", err)
	}
	return p, nil
}

// Webhooks returns the history as deliveries: first every journey as it
// happened, then the late orders of recovered checkouts. Payload times are
// relative to Now, and nothing later than Now is sent.
func (h History) Webhooks() (first, late []journeys.Webhook, err error) {
	h.defaults()
	p, err := payloads()
	if err != nil {
		return nil, nil, err
	}
	now := h.Now().UTC()
	for _, s := range h.Shoppers() {
		for _, w := range p.Render(h.Shop, s) {
			switch {
			case w.At.After(now):
			case w.Late:
				late = append(late, w)
			default:
				first = append(first, w)
			}
		}
	}
	return first, late, nil
}
