package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify/shopifytest"
	"github.com/funnelscope/funnelscope/store"
)

// installLive installs shop with an access token the stand-in Shopify
// accepts, as an install by token exchange leaves it.
func (h *harness) installLive(shop string) store.Shop {
	h.t.Helper()
	sh := h.install(shop)
	tok := store.Tokens{AccessToken: h.shopify.IssueAccessToken(shop), Scope: h.shopify.GrantScopes}
	if err := h.store.UpdateTokens(h.t.Context(), sh.ID, tok); err != nil {
		h.t.Fatal(err)
	}
	sh.Tokens = tok
	return sh
}

// TestFlowAlertDelivery: with only the Flow channel on, each alert fires
// "Funnelscope: cart abandoned" at the stand-in Shopify with the cart's
// payload, through a 429 that the client waits out; a trigger Shopify
// refuses fails the alert at once, in the merchant's words; a token Shopify
// no longer accepts fails it too and marks the shop for re-authorization.
func TestFlowAlertDelivery(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		r := newAlertRig(t, st)
		const shop = "flow-shop.myshopify.com"
		r.installLive(shop)
		now := r.clock.Now()
		r.putSettings(shop, map[string]any{"alerts_enabled": true, "flow_enabled": true, "immediate_min_value": "0.00", "min_value": "1.00"})
		r.deliverAll(shop, []delivery{cartWith(t, "cart-flow", "Lamp", now.Add(-2*time.Hour), 12500)})
		r.deliverAll(shop, journey(t, 2, funnel.StagePaymentReached, now.Add(-3*time.Hour), 4200))
		path := shopifytest.GraphQLPath("2026-10")
		r.shopify.FailNext(path, http.StatusTooManyRequests, 1)

		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		for _, a := range r.waitAlerts(shop, 2) {
			if a.Status != store.AlertSent || a.Attempts != 1 {
				t.Errorf("alert %+v, want sent on the first attempt", a)
			}
		}
		got := map[string]map[string]any{}
		for _, tr := range r.shopify.FlowTriggers(shop) {
			if tr.Handle != alerts.FlowCartAbandoned {
				t.Errorf("trigger %q", tr.Handle)
			}
			got[tr.Payload["Session key"].(string)] = tr.Payload
		}
		if len(got) != 2 || len(r.shopify.FlowTriggers(shop)) != 2 {
			t.Fatalf("the stand-in received %v", r.shopify.FlowTriggers(shop))
		}
		cart, pay := got["cart-flow"], got["cart-002"]
		if cart["Session value"] != 125.0 || cart["Alert kind"] != "Abandoned cart" || cart["Contact email"] != nil || cart["Recovery link"] != nil {
			t.Errorf("cart payload %v", cart)
		}
		if pay["Session value"] != 42.0 || pay["Alert kind"] != "Payment drop-off" || pay["Stage"] != "Reached payment" ||
			pay["Contact email"] != "shopper2@example.com" || !strings.HasPrefix(pay["Recovery link"].(string), "https://") ||
			pay["Session link"] != "https://admin.shopify.com/store/flow-shop/apps/"+testAPIKey+"/sessions/cart-002" {
			t.Errorf("payment drop-off payload %v", pay)
		}
		if msgs, hits := r.chat.received(); len(r.smtp.messages()) != 0 || len(msgs) != 0 || hits != 0 {
			t.Error("an alert went to e-mail or chat, which are not set")
		}

		// Shopify refuses the next trigger: failed at once, not retried.
		r.shopify.FlowUserErrorNext("Invalid payload", 1)
		r.deliverAll(shop, []delivery{cartWith(t, "cart-refused", "Mug", r.clock.Now().Add(-2*time.Hour), 3000)})
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		refused := findAlert(t, r.waitAlerts(shop, 3), "cart-refused")
		if refused.Status != store.AlertFailed || refused.Attempts != 1 || !strings.Contains(refused.LastError, "Shopify Flow did not accept the trigger") ||
			strings.Contains(refused.LastError, "Invalid payload") {
			t.Errorf("refused trigger: %+v", refused)
		}

		// The token is revoked: failed, and the shop must authorize again.
		r.shopify.RevokeAccessTokens(shop)
		r.deliverAll(shop, []delivery{cartWith(t, "cart-revoked", "Cup", r.clock.Now().Add(-2*time.Hour), 3000)})
		if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
			t.Fatal(err)
		}
		revoked := findAlert(t, r.waitAlerts(shop, 4), "cart-revoked")
		if revoked.Status != store.AlertFailed || revoked.Attempts != 1 || !strings.Contains(revoked.LastError, "open Funnelscope from your Shopify admin") {
			t.Errorf("revoked token: %+v", revoked)
		}
		// The shop was marked for re-authorization (the next embedded
		// request, the test's own, installs it afresh by token exchange).
		if !strings.Contains(r.logText(), `"msg":"shop needs re-authorization","shop":"flow-shop.myshopify.com"`) {
			t.Error("the shop was not marked for re-authorization")
		}
		r.waitJobsDone()
		if n := len(r.shopify.FlowTriggers(shop)); n != 2 {
			t.Errorf("the stand-in holds %d triggers, want the first 2 only", n)
		}
	})
}

func findAlert(t *testing.T, list []alertItem, key string) alertItem {
	t.Helper()
	for _, a := range list {
		if a.SessionKey == key {
			return a
		}
	}
	t.Fatalf("no alert of %s in %+v", key, list)
	return alertItem{}
}
