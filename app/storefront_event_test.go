package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/shopify"
)

// TestStorefrontEventOfWholeVisit reduces the pixel's recorded visit
// (testdata/customer-events/batch_visit.json) and folds it: one mobile
// visit from Google search, landing on the home page, through every stage
// and every micro conversion, with its one cart and one checkout token,
// and nothing personal in what is kept.
func TestStorefrontEventOfWholeVisit(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(testkit.RepoRoot(t), "testdata", "customer-events", "batch_visit.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := shopify.ParseCollectBatch(body)
	if err != nil {
		t.Fatal(err)
	}
	events := make([]funnel.StorefrontEvent, 0, len(b.Events))
	for _, e := range b.Events {
		events = append(events, app.StorefrontEventOf(e))
	}
	kept, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	for _, pii := range []string{"ana.shopper", "+15555550123", "Shopper", "Main Street", "97477", "key=4f1b"} {
		if strings.Contains(string(kept), pii) {
			t.Errorf("the reduced events keep %q", pii)
		}
	}

	vs := funnel.Fold(nil, events)
	if len(vs) != 1 {
		t.Fatalf("%d visits, want 1", len(vs))
	}
	v := vs[0]
	if v.Device != funnel.DeviceMobile || v.Landing != funnel.PageHome || v.Source != funnel.SourceSearch || v.Bot {
		t.Errorf("device %s landing %s source %s bot %v", v.Device, v.Landing, v.Source, v.Bot)
	}
	if v.Furthest() != funnel.StorefrontCompleted || v.CompletedByOrder {
		t.Errorf("furthest %s (by order %v)", v.Furthest(), v.CompletedByOrder)
	}
	for _, st := range funnel.StorefrontStages() {
		if v.Stages[st].IsZero() {
			t.Errorf("stage %s has no time of its own", st)
		}
	}
	for _, pm := range funnel.PageMicros() {
		if !v.Viewed(pm.Type) {
			t.Errorf("page %s not viewed", pm.Type)
		}
		for _, m := range pm.Micro {
			if !v.Micro(m) {
				t.Errorf("micro %s not made", m)
			}
		}
	}
	if len(v.CartTokens) != 1 || v.CartTokens[0] != "Z2NwLXVzLWVhc3QxOjAxSkREOVhRNVc0RzhZUDJNSzNWN1RBMVBI" {
		t.Errorf("cart tokens %q", v.CartTokens)
	}
	if len(v.CheckoutTokens) != 1 || v.CheckoutTokens[0] != "8b5e2f7c1d9a4e6b3c0f5a7d2e9b4c1f" {
		t.Errorf("checkout tokens %q", v.CheckoutTokens)
	}
	p, ok := v.Products["8123456789012"]
	if !ok || p.ViewCount() != 1 || p.AddCount() != 1 || p.AddValue() != 4800 || p.Title != "Linen Shirt" || v.Currency != "USD" {
		t.Errorf("products %+v, currency %q", v.Products, v.Currency)
	}
	var alert, gateway bool
	for _, e := range events {
		alert = alert || e.AlertType == "PAYMENT_ERROR"
		gateway = gateway || (e.Name == funnel.EventCheckoutCompleted && e.Gateway == "shopify_payments" && e.PaymentMethod == "creditCard" && e.Value == 5684)
	}
	if !alert || !gateway {
		t.Errorf("payment facts lost: alert %v, gateway %v", alert, gateway)
	}
}
