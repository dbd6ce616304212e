package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/store"
)

// samePayment fails unless the open report page shows the payment section
// and the hold-out figure of the API's report for query: the sessions at
// payment, each device's and gateway's row in the API's order (the
// gateway's without a rate), and the plain "recovered after an alert".
func samePayment(t *testing.T, p page, h *harness, shop, query string) {
	t.Helper()
	resp, body := h.api(http.MethodGet, "/api/funnel?"+query, shop, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/funnel?%s: %d %s", query, resp.StatusCode, body)
	}
	var r struct {
		Payment *struct {
			Reached    int64
			Dimensions []struct {
				Key  string
				Rows []struct {
					Value   string
					Reached int64
				}
			}
		}
		AlertHoldout *struct {
			RecoveredAfterAlert struct{ Carts, Recovered int64 } `json:"recovered_after_alert"`
		} `json:"alert_holdout"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	if r.Payment == nil || r.Payment.Reached == 0 {
		t.Fatalf("the demo has no session at payment: %s", body)
	}
	var reached string
	p.eval(`document.getElementById("payment-reached").textContent.trim()`, &reached)
	if reached != strconv.FormatInt(r.Payment.Reached, 10) {
		t.Errorf("payment: page shows %s reached, API %d", reached, r.Payment.Reached)
	}
	for _, d := range r.Payment.Dimensions {
		var rows []struct{ Value, Reached, Rate string }
		p.eval(fmt.Sprintf(`Array.from(document.querySelectorAll('[data-payment-dim=%q] s-table-row')).map(tr => ({Value: tr.dataset.value,
			Reached: tr.querySelector("[data-field=reached]").textContent, Rate: tr.querySelector("[data-field=rate]") ? "shown" : ""}))`, d.Key), &rows)
		var got, want []string
		for _, row := range rows {
			got = append(got, row.Value+" "+row.Reached)
			if (row.Rate != "") != (d.Key == "device" || d.Key == "country") {
				t.Errorf("payment by %s: %s rate %q", d.Key, row.Value, row.Rate)
			}
		}
		for _, row := range d.Rows {
			want = append(want, row.Value+" "+strconv.FormatInt(row.Reached, 10))
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("payment by %s: page %v, API %v", d.Key, got, want)
		}
	}
	var plain string
	p.eval(`(document.getElementById("holdout-plain") || {textContent: ""}).textContent`, &plain)
	if a := r.AlertHoldout; a == nil || !strings.HasPrefix(plain, fmt.Sprintf("%d of %d carts alerted", a.RecoveredAfterAlert.Recovered, a.RecoveredAfterAlert.Carts)) {
		t.Errorf("hold-out: page says %q, API %+v", plain, r.AlertHoldout)
	}
}

// TestReportPaymentPixelInBrowser opens the report of the fixture's visit
// (a declined card, then payment submitted and the order) with its
// webhooks, and checks the payment section's pixel figures as the page
// shows them: the submission, the error at the payment step, the payment
// method split; and axe on the page.
func TestReportPaymentPixelInBrowser(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectPostgres)
	h := newHarness(t, st)
	h.clock.Set(visitArrival)
	_, key := h.pixelShop(visitShop)
	h.postStorefrontVisits(visitShop, key)
	h.deliverFixtureOrder(visitShop)
	p := page{t, browser(t, 2*time.Minute)}
	q := url.Values{"shop": {visitShop}, "embedded": {"1"}, "id_token": {h.sessionToken(visitShop)}, "from": {"2026-11-20"}, "to": {"2026-11-24"}}
	p.do("opening the report", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
	p.idle("the report")
	var got struct {
		Submitted, Errors string
		Methods           []string
	}
	p.eval(`({Submitted: document.getElementById("payment-submitted").textContent.trim(),
		Errors: Array.from(document.querySelectorAll("#payment-errors li")).map(li => li.textContent.trim()).join("; "),
		Methods: Array.from(document.querySelectorAll("[data-payment-dim=payment_method] s-table-row")).map(r => r.dataset.value)})`, &got)
	if got.Submitted != "1 · 100.0%" || got.Errors != "Reached payment: 1 error, 1 shopper" || strings.Join(got.Methods, ",") != "creditCard" {
		t.Errorf("payment section shows %+v", got)
	}
	samePayment(t, p, h, visitShop, "from=2026-11-20&to=2026-11-24")
	p.axe("the report with the payment section", loadAxe(t))
}
