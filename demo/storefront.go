package demo

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
)

// The user agents of the demo's browsers.
const (
	uaIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	uaAndroid = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	uaIPad    = "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
	uaWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaMac     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
)

// storefront is what the demo store's pixel and theme embed see. Visits
// that never add to cart outnumber those that do about fourteen to one
// (an add to cart in about 6% of visits); most land on the home page;
// phones bring about two visits in three and convert about half as well
// as desktops; tablets are few.
func (h History) storefront() journeys.Storefront {
	return journeys.Storefront{
		Host:     h.Shop,
		Browsers: h.browsers(),
		Unseen:   4, UnseenEU: 30,
		Devices: []journeys.DeviceMix{
			{Kind: funnel.DeviceMobile, UserAgent: uaIPhone, Width: 390, Height: 844, Browse: 44, Cart: 36, Order: 29},
			{Kind: funnel.DeviceMobile, UserAgent: uaAndroid, Width: 412, Height: 915, Browse: 25, Cart: 19, Order: 14},
			{Kind: funnel.DeviceTablet, UserAgent: uaIPad, Width: 820, Height: 1180, Browse: 4, Cart: 5, Order: 5},
			{Kind: funnel.DeviceDesktop, UserAgent: uaWindows, Width: 1536, Height: 864, Browse: 15, Cart: 22, Order: 27},
			{Kind: funnel.DeviceDesktop, UserAgent: uaMac, Width: 1440, Height: 900, Browse: 12, Cart: 18, Order: 25},
		},
		Landings: []journeys.Landing{
			{Page: funnel.PageHome, Weight: 61}, {Page: funnel.PageProduct, Weight: 20}, {Page: funnel.PageCollection, Weight: 13},
			{Page: funnel.PageSearch, Weight: 3}, {Page: funnel.PagePage, Weight: 3},
		},
		CartLandings: []journeys.Landing{
			{Page: funnel.PageHome, Weight: 45}, {Page: funnel.PageProduct, Weight: 33}, {Page: funnel.PageCollection, Weight: 22},
		},
		Home:              journeys.HomePage{Scroll: [4]float64{0.72, 0.58, 0.55, 0.45}, MobileHalf: 0.48, Nav: 0.52},
		Collection:        journeys.CollectionPage{Filter: 0.16, Product: 0.58, Home: 0.12},
		Product:           journeys.ProductPage{Gallery: 0.34, Variant: 0.22, Reviews: 0.18, Another: 0.3},
		Buyer:             journeys.ProductPage{Gallery: 0.62, Variant: 0.7, Reviews: 0.46},
		MissedCompletions: 6,
	}
}

// browsers is how many visits that never add to cart come for each cart
// shopper (History.Browsers, default 14).
func (h History) browsers() float64 {
	if h.Browsers > 0 {
		return h.Browsers
	}
	return 14
}

// Visits returns the storefront's visits: one for each cart shopper whose
// browser the pixel hears (with their cart and checkout tokens), and the
// many that never add to cart, over the same days (the last PixelDays).
func (h History) Visits() []journeys.Visit {
	h.defaults()
	visits := h.mix().Visits(h.storefront(), h.Shoppers())
	if h.PixelDays <= 0 || h.PixelDays >= h.Days {
		return visits
	}
	since := h.Now().AddDate(0, 0, -h.PixelDays)
	return slices.DeleteFunc(visits, func(v journeys.Visit) bool { return v.Events[0].At.Before(since) })
}

// Batch is one POST /collect body and when the pixel sends it (the
// moment its newest event is flushed).
type Batch struct {
	At     time.Time
	Events int
	Body   []byte
}

// Batch limits: the pixel's are 200 events and 64 KiB; the demo stays a
// little under the size so that no batch is refused for a few bytes.
const (
	batchEvents = shopify.MaxCollectEvents
	batchBytes  = 60 << 10
	batchWait   = time.Hour
)

// Batches returns the storefront's events as /collect bodies with pixel
// key key, none later than Now, in the order the pixel sends them. A
// pixel sends each page's events as the shopper goes on to the next page;
// the demo sends each visit's pages together, when its last page is
// flushed, several visits to a body up to the pixel's limits (as a relay
// in front of many browsers would): the collector folds a visit once,
// not once a page, so that 90 days fill in seconds. The bodies are the
// pixel's, event by event.
func (h History) Batches(key string) ([]Batch, error) {
	h.defaults()
	now := h.Now().UTC()
	type visit struct {
		at   time.Time
		raws []json.RawMessage
	}
	var all []visit
	for _, v := range h.Visits() {
		raws := v.Render(h.Shop)
		var keep []json.RawMessage
		var at time.Time
		for i, e := range v.Events {
			if e.At.After(now) {
				continue
			}
			keep = append(keep, raws[i])
			at = e.Flush
		}
		if len(keep) > 0 {
			all = append(all, visit{at: at, raws: keep})
		}
	}
	slices.SortStableFunc(all, func(a, b visit) int { return a.at.Compare(b.at) })
	var out []Batch
	var cur []json.RawMessage
	size := 0
	var at time.Time
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		body, err := json.Marshal(struct {
			Shop   string            `json:"shop"`
			Key    string            `json:"key"`
			Events []json.RawMessage `json:"events"`
		}{h.Shop, key, cur})
		if err != nil {
			return fmt.Errorf("demo: encoding a /collect batch: %w", err)
		}
		out = append(out, Batch{At: at, Events: len(cur), Body: body})
		cur, size = nil, 0
		return nil
	}
	var first time.Time // the flush time of the body's first visit
	for _, v := range all {
		// A relay does not hold a visit for long: a quiet store's body
		// goes out within batchWait of its first visit, so that no body
		// carries day-old events.
		if len(cur) > 0 && v.at.Sub(first) > batchWait {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if len(cur) == 0 {
			first = v.at
		}
		for _, raw := range v.raws {
			if len(cur) == batchEvents || size+len(raw)+1 > batchBytes-512 {
				if err := flush(); err != nil {
					return nil, err
				}
			}
			cur = append(cur, raw)
			size += len(raw) + 1
			at = v.at
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
