package app_test

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
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
	api := h.storefrontReport(visitShop, "from=2026-11-20&to=2026-11-24").Storefront
	if api == nil || api.Visits != 2 {
		t.Fatalf("/api/funnel storefront = %+v, want 2 visits", api)
	}
	p := page{t, browser(t, 2*time.Minute)}
	axe := loadAxe(t)
	q := url.Values{"shop": {visitShop}, "embedded": {"1"}, "id_token": {h.sessionToken(visitShop)}, "from": {"2026-11-20"}, "to": {"2026-11-24"}}
	for _, w := range []int64{1280, 390} {
		p.do("opening the report", chromedp.EmulateViewport(w, 900), chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
		p.idle("the report")
		var got struct {
			Heading  string
			Stages   []string
			Devices  [][]string
			Micro    []string
			Products [][]string
			Reviews  string
		}
		p.eval(`({Heading: document.querySelector("#storefront h2").textContent,
			Stages: Array.from(document.querySelectorAll("#storefront-stages li")).map(li => li.dataset.stage + "=" + li.querySelector("[data-field=sessions]").textContent.trim() + " " + li.querySelector("[data-field=rate_from_start]").textContent.trim()),
			Devices: Array.from(document.querySelectorAll("#storefront-devices s-table-body s-table-row")).map(r => Array.from(r.querySelectorAll("s-table-cell")).map(c => c.textContent.trim())),
			Micro: Array.from(document.querySelectorAll("#storefront .micro li")).map(li => li.dataset.micro + "=" + li.querySelector("strong").textContent),
			Products: Array.from(document.querySelectorAll("#storefront-products s-table-body s-table-row")).map(r => Array.from(r.querySelectorAll("s-table-cell")).map(c => c.textContent.trim())),
			Reviews: (document.getElementById("reviews-not-added") || {textContent: ""}).textContent})`, &got)
		// What the page shows is what /api/funnel says, rounded once.
		var want []string
		for _, s := range api.Stages {
			want = append(want, fmt.Sprintf("%s=%d %s", s.Key, s.Sessions, funnel.Percent(s.Sessions, api.Visits)))
		}
		if got.Heading != "Before the cart" || strings.Join(got.Stages, " ") != strings.Join(want, " ") {
			t.Errorf("%d px: %q, storefront stages %v, want %v", w, got.Heading, got.Stages, want)
		}
		var wantDevices [][]string
		for _, step := range api.Devices {
			row := []string{step.Label}
			for i, c := range step.Devices {
				row = append(row, fmt.Sprintf("%d · %s", c.Sessions, funnel.Percent(c.Sessions, api.Devices[0].Devices[i].Sessions)))
			}
			wantDevices = append(wantDevices, row)
		}
		if !reflect.DeepEqual(got.Devices, wantDevices) {
			t.Errorf("%d px: device table %v, want %v", w, got.Devices, wantDevices)
		}
		var wantMicro []string
		for _, pg := range api.Pages {
			for _, m := range pg.Micro {
				wantMicro = append(wantMicro, fmt.Sprintf("%s=%d", m.Key, m.Visits))
			}
		}
		if !reflect.DeepEqual(got.Micro, wantMicro) {
			t.Errorf("%d px: micro conversions %v, want %v", w, got.Micro, wantMicro)
		}
		if len(got.Products) != 1 || len(got.Products[0]) != 6 || got.Products[0][0] != "Linen Shirt" || got.Products[0][1] != "2" ||
			!strings.HasPrefix(got.Products[0][2], funnel.Percent(1, 2)) || got.Products[0][4] != "1" {
			t.Errorf("%d px: products %v, want the linen shirt: 2 views, 50.0%%, 1 order", w, got.Products)
		}
		if !strings.Contains(got.Reviews, "Reviews reached but not added: 1 of the 2 visits that reached a product's reviews added nothing to the cart") {
			t.Errorf("%d px: reviews line %q", w, got.Reviews)
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
