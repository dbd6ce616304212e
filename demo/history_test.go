package demo_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
)

var demoNow = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func TestHistoryIsDeterministicAndPlausible(t *testing.T) {
	t.Parallel()
	h := demo.History{Shop: "demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 3, Sessions: 2000, Days: 90}
	a, lateA, err := h.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	b, lateB, _ := h.Webhooks()
	if len(a) != len(b) || len(lateA) != len(lateB) {
		t.Fatalf("two runs differ: %d/%d vs %d/%d", len(a), len(lateA), len(b), len(lateB))
	}
	for i := range a {
		if a[i].ID != b[i].ID || !bytes.Equal(a[i].Body, b[i].Body) {
			t.Fatalf("delivery %d differs between runs", i)
		}
	}
	if len(lateA) < 10 {
		t.Errorf("only %d recovered checkouts", len(lateA))
	}
	ids := map[string]bool{}
	topics := map[string]int{}
	oldest := demoNow
	for _, d := range append(a, lateA...) {
		if d.At.After(demoNow) {
			t.Errorf("%s is in the future: %s", d.ID, d.At)
		}
		if ids[d.ID] {
			t.Errorf("webhook id %s twice", d.ID)
		}
		ids[d.ID] = true
		topics[d.Topic]++
		if d.At.Before(oldest) {
			oldest = d.At
		}
		if err := parses(d.Topic, d.Body); err != nil {
			t.Fatalf("%s %s: %v", d.Topic, d.ID, err)
		}
	}
	if demoNow.Sub(oldest) < 85*24*time.Hour || demoNow.Sub(oldest) > 91*24*time.Hour {
		t.Errorf("history starts %s before now, want about 90 days", demoNow.Sub(oldest))
	}
	for _, topic := range []string{shopify.TopicCartsCreate, shopify.TopicCartsUpdate, shopify.TopicCheckoutsCreate, shopify.TopicCheckoutsUpdate, shopify.TopicOrdersCreate} {
		if topics[topic] == 0 {
			t.Errorf("no %s deliveries", topic)
		}
	}
	// Stage rates stay in plausible ranges.
	stops := map[funnel.Stage]int{}
	sources := map[string]bool{}
	countries := map[string]bool{}
	for _, s := range h.Shoppers() {
		stops[s.Stop]++
		sources[s.Source] = true
		countries[s.Country.Code] = true
	}
	reached := func(s funnel.Stage) int {
		n := 0
		for st, c := range stops {
			if st >= s {
				n += c
			}
		}
		return n
	}
	if r := float64(reached(funnel.StageCheckoutStarted)) / float64(reached(funnel.StageAddedToCart)); r < 0.4 || r > 0.7 {
		t.Errorf("cart to checkout %.2f", r)
	}
	if r := float64(reached(funnel.StageCompleted)) / float64(reached(funnel.StageAddedToCart)); r < 0.15 || r > 0.35 {
		t.Errorf("cart to order %.2f", r)
	}
	if len(sources) < 4 || len(countries) < 4 {
		t.Errorf("%d sources, %d countries", len(sources), len(countries))
	}
}

// TestHistoryUnchanged pins the history `funnelscope demo` fills itself
// with (seed 1, 3000 shoppers, 90 days): the same seed makes the same
// store, as it did when the history lived in app/ (checked event by event
// when it moved). Changing it is a decision, not a side effect: the
// README's picture is of this store.
func TestHistoryUnchanged(t *testing.T) {
	t.Parallel()
	h := demo.History{Shop: "funnelscope-demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 1}
	first, late, err := h.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		webhooks, late             int
		stops                      [funnel.StageCompleted + 1]int
		express, recovered, signIn int
		cents                      int64
		firstStart                 string
	}
	got := summary{webhooks: len(first), late: len(late)}
	shoppers := h.Shoppers()
	for _, s := range shoppers {
		got.stops[s.Stop]++
		got.cents += journeys.Cents(s.Items)
		if s.Express {
			got.express++
		}
		if !s.Recovered.IsZero() {
			got.recovered++
		}
		if s.SignedIn {
			got.signIn++
		}
	}
	got.firstStart = shoppers[0].At[funnel.StageAddedToCart].Format(time.RFC3339Nano)
	want := summary{
		webhooks: 8593, late: 62, stops: [7]int{0, 1610, 225, 154, 128, 270, 613}, express: 90, recovered: 62, signIn: 740,
		cents: 51137700, firstStart: "2026-09-28T02:33:11.810943573Z",
	}
	if got != want {
		t.Errorf("the demo history changed:\n got %+v\nwant %+v", got, want)
	}
}

// parses reads a payload as the app does first: with the shopify
// package's parser for its topic.
func parses(topic string, body []byte) error {
	var err error
	switch topic {
	case shopify.TopicCartsCreate, shopify.TopicCartsUpdate:
		_, err = shopify.ParseCart(body)
	case shopify.TopicCheckoutsCreate, shopify.TopicCheckoutsUpdate:
		_, err = shopify.ParseCheckout(body)
	default:
		_, err = shopify.ParseOrder(body)
	}
	return err
}

// TestStorefrontUnchanged pins the storefront history `funnelscope demo`
// posts to /collect (seed 1, 3000 cart shoppers, 90 days), as
// TestHistoryUnchanged pins its webhooks: changing it is a decision.
func TestStorefrontUnchanged(t *testing.T) {
	t.Parallel()
	h := demo.History{Shop: "funnelscope-demo.myshopify.com", Now: func() time.Time { return demoNow }, Seed: 1}
	visits := h.Visits()
	type summary struct {
		visits, events, carts int
		devices               [3]int
		firstClient, firstAt  string
	}
	got := summary{visits: len(visits), firstClient: visits[0].ClientID, firstAt: visits[0].Events[0].At.Format(time.RFC3339Nano)}
	for _, v := range visits {
		got.events += len(v.Events)
		if v.Shopper != nil {
			got.carts++
		}
		got.devices[slices.Index(funnel.Devices(), v.Device.Kind)]++
	}
	want := summary{visits: 44615, events: 243997, carts: 2615, devices: [3]int{30257, 1826, 12532},
		firstClient: "5554f9c9-d636-40b9-9573-0fcbdc88f6bf", firstAt: "2026-08-26T15:08:22.863653816Z"}
	if got != want {
		t.Errorf("the demo storefront changed:\n got %+v\nwant %+v", got, want)
	}
}
