package app

import (
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/demo"
)

// TestDemoPayloadsAreUsable: every webhook of the demo history is one the
// app turns into a funnel event, so the demo's report holds all of it.
// (demo/ checks the history itself; only the app knows its event rule.)
func TestDemoPayloadsAreUsable(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	first, late, err := demo.History{Shop: "demo.myshopify.com", Now: func() time.Time { return now }, Seed: 3, Sessions: 2000, Days: 90}.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 2000 || len(late) == 0 {
		t.Fatalf("%d webhooks and %d late orders", len(first), len(late))
	}
	for _, d := range append(first, late...) {
		ev, reason := eventFromPayload(d.Topic, d.Body, now)
		if reason != "" || ev == nil {
			t.Fatalf("%s %s is not a usable payload: %s", d.Topic, d.ID, reason)
		}
		if ev.CartToken != d.Key || ev.Value != d.Cents {
			t.Errorf("%s %s: the app reads cart %s worth %d, the history says %s worth %d", d.Topic, d.ID, ev.CartToken, ev.Value, d.Key, d.Cents)
		}
	}
}
