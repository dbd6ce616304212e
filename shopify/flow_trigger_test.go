package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
)

// TestFlowTriggerReceive: the trigger reaches the stand-in with its handle
// and payload; a 429 and a THROTTLED answer are retried; a user error is a
// *FlowTriggerError; a revoked token wraps ErrReauthorize.
func TestFlowTriggerReceive(t *testing.T) {
	fake := shopifytest.NewServer(t, testKey, testSecret)
	token := fake.IssueAccessToken(testShop)
	var slept []time.Duration
	c := newClient(fake, time.Now(), &slept)
	ctx := context.Background()
	payload := map[string]any{"Session value": 12.5, "Currency": "CAD"}

	fake.FailNext(shopifytest.GraphQLPath(apiVersion), http.StatusTooManyRequests, 1)
	fake.ThrottleNext(1)
	if err := c.FlowTriggerReceive(ctx, testShop, token, "funnelscope-cart-abandoned", payload); err != nil {
		t.Fatalf("FlowTriggerReceive: %v", err)
	}
	got := fake.FlowTriggers(testShop)
	if len(got) != 1 || got[0].Handle != "funnelscope-cart-abandoned" || got[0].Payload["Session value"] != 12.5 || got[0].Payload["Currency"] != "CAD" {
		t.Fatalf("the stand-in received %+v", got)
	}
	if len(slept) != 2 {
		t.Errorf("waited %v, want one wait for the 429 and one for THROTTLED", slept)
	}

	fake.FlowUserErrorNext("Payload does not match the trigger's fields", 1)
	err := c.FlowTriggerReceive(ctx, testShop, token, "funnelscope-cart-abandoned", payload)
	var refused *shopify.FlowTriggerError
	if !errors.As(err, &refused) || refused.Message != "Payload does not match the trigger's fields" {
		t.Fatalf("user error = %v, want a *FlowTriggerError", err)
	}
	if err := c.FlowTriggerReceive(ctx, testShop, token, "not-ours", payload); !errors.As(err, &refused) {
		t.Errorf("unknown handle = %v, want a *FlowTriggerError", err)
	}
	if n := len(fake.FlowTriggers(testShop)); n != 1 {
		t.Errorf("refused triggers were recorded: %d", n)
	}

	fake.RevokeAccessTokens(testShop)
	if err := c.FlowTriggerReceive(ctx, testShop, token, "funnelscope-cart-abandoned", payload); !errors.Is(err, shopify.ErrReauthorize) {
		t.Errorf("revoked token = %v, want ErrReauthorize", err)
	}
}
