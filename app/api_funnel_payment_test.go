package app_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// paymentReport is the payment block of /api/funnel as these tests read it.
type paymentReport struct {
	Payment *struct {
		Reached       int64
		Completed     int64
		PixelSessions int64  `json:"pixel_sessions"`
		Submitted     *int64 `json:"submitted"`
		ErrorSessions *int64 `json:"error_sessions"`
		Step          struct{ Band string }
		Errors        []struct {
			Step             string
			Alerts, Sessions int64
		}
		Dimensions []struct {
			Key   string
			Rated bool
			Note  string
			Rows  []struct {
				Value              string
				Reached, Completed int64
				PixelSessions      int64 `json:"pixel_sessions"`
				Submitted, Errors  int64
				Step               *struct{ Rate *float64 }
			}
		}
	}
}

func (h *harness) paymentReport(shop, query string) paymentReport {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/funnel?"+query, shop, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("/api/funnel?%s: %d %s", query, resp.StatusCode, body)
	}
	var r paymentReport
	if err := json.Unmarshal(body, &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// TestAPIFunnelPayment checks the payment block of /api/funnel on both
// databases, through the real webhooks and /collect: null before any
// session reached payment; after the fixture's order alone, its session
// at payment with the order's gateway and no pixel figures; after the
// pixel's visit (a declined card, then payment submitted and the order on
// the thank-you page), the submission, the error at the payment step, the
// device and the payment method. Another shop sees none of it.
func TestAPIFunnelPayment(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		h.clock.Set(visitArrival)
		_, key := h.pixelShop(visitShop)
		h.install("other-shop.myshopify.com")
		if r := h.paymentReport(visitShop, storefrontRange); r.Payment != nil {
			t.Fatalf("payment before any session = %+v, want null", *r.Payment)
		}
		h.deliverFixtureOrder(visitShop)
		p := h.paymentReport(visitShop, storefrontRange).Payment
		if p == nil || p.Reached != 1 || p.Completed != 1 || p.PixelSessions != 0 || p.Submitted != nil || p.ErrorSessions != nil {
			t.Fatalf("payment after the order = %+v, want 1 reached and completed, no pixel figures", p)
		}
		dims := map[string]int{}
		for i, d := range p.Dimensions {
			dims[d.Key] = i
		}
		if _, ok := dims[funnel.PaymentByMethod]; ok || len(p.Dimensions) != 3 {
			t.Errorf("dimensions without the pixel: %+v", p.Dimensions)
		}
		gw := p.Dimensions[dims[funnel.PaymentByGateway]]
		if gw.Rated || gw.Note == "" || len(gw.Rows) != 1 || gw.Rows[0].Value != "paypal" || gw.Rows[0].Step != nil {
			t.Errorf("gateway split %+v, want paypal without a rate", gw)
		}

		h.postStorefrontVisits(visitShop, key)
		p = h.paymentReport(visitShop, storefrontRange).Payment
		if p == nil || p.Reached != 1 || p.PixelSessions != 1 || p.Submitted == nil || *p.Submitted != 1 || *p.ErrorSessions != 1 {
			t.Fatalf("payment after the pixel = %+v", p)
		}
		if len(p.Errors) != 1 || p.Errors[0].Step != funnel.StorefrontPaymentReached.Key() || p.Errors[0].Alerts != 1 || p.Errors[0].Sessions != 1 {
			t.Errorf("errors %+v, want the declined card once at the payment step", p.Errors)
		}
		dims = map[string]int{}
		for i, d := range p.Dimensions {
			dims[d.Key] = i
			var reached int64
			for _, r := range d.Rows {
				reached += r.Reached
			}
			if reached != p.Reached {
				t.Errorf("%s rows add up to %d, want %d", d.Key, reached, p.Reached)
			}
		}
		want := map[string]string{funnel.PaymentByDevice: "mobile", funnel.PaymentByCountry: "US",
			funnel.PaymentByGateway: "paypal", funnel.PaymentByMethod: "creditCard"}
		for key, value := range want {
			i, ok := dims[key]
			if !ok {
				t.Errorf("no %s split", key)
				continue
			}
			d := p.Dimensions[i]
			if len(d.Rows) != 1 || d.Rows[0].Value != value || d.Rows[0].Errors != 1 || d.Rows[0].Submitted != 1 {
				t.Errorf("%s split %+v, want %s with the error and the submission", key, d.Rows, value)
			}
			if d.Rated != (key == funnel.PaymentByDevice || key == funnel.PaymentByCountry) {
				t.Errorf("%s rated %v", key, d.Rated)
			}
		}
		if r := h.paymentReport("other-shop.myshopify.com", storefrontRange); r.Payment != nil {
			t.Errorf("another shop sees payment %+v", *r.Payment)
		}
	})
}
