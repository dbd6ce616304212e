package app_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/store"
)

// TestReportStorefrontInBrowser posts the fixtures' mobile visit and a
// desktop visit through the real /collect, opens the report page at
// desktop and 390 px phone width, and checks the storefront section: the
// nine stages with the API's counts, the device comparison, the pages'
// micro conversions, the product table, Polaris markup, the layout at
// phone width, and axe.
func TestReportStorefrontInBrowser(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectPostgres)
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, visitShop })
	h.clock.Set(visitArrival)
	h.install(visitShop)
	_, key := h.pixelShop(visitShop)
	h.postStorefrontVisits(visitShop, key)
	p := page{t, browser(t, 2*time.Minute)}
	axe := loadAxe(t)
	q := url.Values{"shop": {visitShop}, "embedded": {"1"}, "id_token": {h.sessionToken(visitShop)}, "from": {"2026-11-20"}, "to": {"2026-11-24"}}
	for _, w := range []int64{1280, 390} {
		p.do("opening the report", chromedp.EmulateViewport(w, 900), chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
		p.idle("the report")
		var got struct {
			Stages   []string
			Devices  int
			Micro    int
			Products int
			Reviews  string
		}
		p.eval(`({Stages: Array.from(document.querySelectorAll("#storefront-stages li")).map(li => li.dataset.stage + "=" + li.dataset.sessions),
			Devices: document.querySelectorAll("#storefront-devices s-table-body s-table-row").length,
			Micro: document.querySelectorAll("#storefront .micro li").length,
			Products: document.querySelectorAll("#storefront-products s-table-body s-table-row").length,
			Reviews: (document.getElementById("reviews-not-added") || {textContent: ""}).textContent})`, &got)
		want := []string{"visited=2", "viewed_product=2", "added_to_cart=1", "checkout_started=1", "contact_submitted=1",
			"address_submitted=1", "payment_reached=1", "payment_submitted=1", "completed=1"}
		if strings.Join(got.Stages, " ") != strings.Join(want, " ") {
			t.Errorf("%d px: storefront stages %v, want %v", w, got.Stages, want)
		}
		if got.Devices != 9 || got.Micro != 8 || got.Products != 1 || !strings.HasPrefix(strings.TrimSpace(got.Reviews), "1 ") {
			t.Errorf("%d px: %d device rows, %d micro conversions, %d products, reviews line %q; want 9, 8, 1 and 1 visit", w, got.Devices, got.Micro, got.Products, got.Reviews)
		}
		checkMarkup(t, p, "the report with the storefront")
		if w == 390 {
			var problems []string
			p.eval(layoutProblems, &problems)
			if len(problems) > 0 {
				t.Errorf("the report at 390 px:\n%s", strings.Join(problems, "\n"))
			}
		}
		p.axe("the report with the storefront", axe)
	}
}
