package app

import (
	"bytes"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
)

func TestDemoHistoryIsDeterministicAndPlausible(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	h := DemoHistory{Shop: "demo.myshopify.com", Now: func() time.Time { return now }, Seed: 3, Sessions: 2000, Days: 90}
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
	oldest := now
	for _, d := range append(a, lateA...) {
		if d.At.After(now) {
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
		ev, reason := eventFromPayload(d.Topic, d.Body, now)
		if reason != "" || ev == nil {
			t.Fatalf("%s %s is not a usable payload: %s", d.Topic, d.ID, reason)
		}
	}
	if now.Sub(oldest) < 85*24*time.Hour || now.Sub(oldest) > 91*24*time.Hour {
		t.Errorf("history starts %s before now, want about 90 days", now.Sub(oldest))
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
	for _, j := range h.journeys() {
		stops[j.stop]++
		sources[j.source] = true
		countries[j.country] = true
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
