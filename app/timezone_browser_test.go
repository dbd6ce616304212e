package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// TestShopZoneInBrowser opens the report of a New York shop at 03:00 UTC
// on 24 November in Chromium (whose own zone is the machine's, UTC): the
// page says which zone its days are in, "Today" is the 23rd and holds the
// cart started at 01:30 UTC on the 24th, and the list shows that cart's
// time in New York. Then the settings page shows the shop's zone, and
// saving another setting leaves the shop following its own zone.
func TestShopZoneInBrowser(t *testing.T) {
	st := openStore(t, store.DialectSQLite)
	const shop = "zone-page.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	h.clock.Set(time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC))
	sh := h.install(shop)
	if err := st.SetShopDetails(t.Context(), sh.ID, "USD", "America/New_York"); err != nil {
		t.Fatal(err)
	}
	for _, d := range journey(t, 1, funnel.StageAddedToCart, time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC), 4200) {
		if resp, body := h.webhook(d.topic, shop, d.id, d.body); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", d.topic, resp.StatusCode, body)
		}
	}
	p := page{t, browser(t, 2*time.Minute)}
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
	p.do("opening the report", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
	p.idle("the first load")
	var zone string
	p.eval(`document.getElementById("timezone").textContent`, &zone)
	if !strings.Contains(zone, "America/New_York") {
		t.Errorf("the page says %q about its days, not America/New_York", zone)
	}

	p.do("choosing today", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById("range"); r.value = "1"; r.dispatchEvent(new Event("change")); })()`))
	p.until("today's report", `document.querySelector('#report-view .report[data-from="2026-11-23"][data-to="2026-11-23"]') !== null`)
	p.idle("today's load")
	var stages []pageStage
	p.eval(readStages, &stages)
	if len(stages) == 0 || stages[0].Sessions != "1" {
		t.Errorf("today (2026-11-23 in New York) shows %+v, want the one cart", stages)
	}
	p.until("the abandoned cart", `document.querySelectorAll("#sessions s-table-body s-table-row").length === 1`)
	var when string
	p.eval(`document.querySelector("#sessions s-table-body s-table-row s-table-cell").textContent`, &when)
	// 01:30 UTC on the 24th is 20:30 on the 23rd in New York.
	if !strings.Contains(when, "Nov 23") || !strings.Contains(when, "08:30") {
		t.Errorf("the list shows the cart at %q, want Nov 23, 08:30 PM (New York)", when)
	}

	p.do("opening settings", chromedp.Navigate(h.srv.URL+"/settings?"+q.Encode()))
	p.until("the settings", `document.getElementById("timezone").value !== ""`)
	p.eval(`document.getElementById("timezone").value`, &zone)
	if zone != "America/New_York" {
		t.Errorf("the settings show the zone %q, want the shop's America/New_York", zone)
	}
	p.do("saving the threshold", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.getElementById("settings-form");
		f.abandon_after_minutes.value = "45"; f.requestSubmit(); })()`))
	p.until("saved", `document.getElementById("settings-form").dataset.saved === "true"`)
	set, err := st.Settings(t.Context(), sh.ID)
	if err != nil || set.AbandonAfter != 45*time.Minute || set.Alerts == nil || set.Alerts.Timezone != "" {
		t.Fatalf("after saving the threshold: %+v, %v; want no zone of its own chosen", set, err)
	}
	// The shop moves in Shopify; the report follows.
	if err := st.SetShopDetails(t.Context(), sh.ID, "USD", "Europe/Paris"); err != nil {
		t.Fatal(err)
	}
	if r := h.zoneReport(shop, ""); r.Timezone != "Europe/Paris" || r.To != "2026-11-24" {
		t.Errorf("after the shop moved: %+v, want its days in Europe/Paris", r)
	}
}
