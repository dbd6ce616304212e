package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// TestListShowsTheServersLabels opens the report page and checks that the
// list of shoppers shows the stage and status as the sessions API writes
// them, funnel's rules, and the value in the shop's currency written for
// the merchant's locale (Intl.NumberFormat): for en-US as the server's
// funnel.DisplayMoney writes it, and for a German admin (the admin's
// locale parameter) the German way.
func TestListShowsTheServersLabels(t *testing.T) {
	st := openStore(t, store.DialectSQLite)
	const shop = "labels.myshopify.com"
	// Demo mode gives the page its session tokens, as App Bridge would.
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	h.install(shop)
	for _, d := range journey(t, 1, funnel.StageCheckoutStarted, h.clock.Now().Add(-3*time.Hour), 123450) {
		if resp, body := h.webhook(d.topic, shop, d.id, d.body); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", d.topic, resp.StatusCode, body)
		}
	}
	resp, body := h.api(http.MethodGet, "/api/sessions?status=checkout_dropoff", shop, nil)
	var list struct {
		Sessions []struct {
			Key                string `json:"key"`
			ValueDisplay       string `json:"value_display"`
			FurthestStageLabel string `json:"furthest_stage_label"`
			StatusLabel        string `json:"status_label"`
		} `json:"sessions"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Sessions) != 1 {
		t.Fatalf("/api/sessions: %d %s", resp.StatusCode, body)
	}
	api := list.Sessions[0]
	if api.ValueDisplay != funnel.DisplayMoney(123450, "USD") || api.FurthestStageLabel != funnel.StageCheckoutStarted.Label() ||
		api.StatusLabel != funnel.StatusCheckoutDropoff.Label() {
		t.Fatalf("the API writes %+v", api)
	}

	p := page{t, browser(t, time.Minute)}
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
	p.do("opening the report", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
	p.idle("the report")
	p.do("the checkout drop-offs", chromedp.Click(chromedp.CSS(`#lists [role=tab][data-status=checkout_dropoff]`)))
	p.until("the drop-off's row", `document.querySelector("#sessions s-table-body s-table-row[data-key='`+api.Key+`']") !== null`)
	var cells []string
	p.eval(`Array.from(document.querySelectorAll("#sessions s-table-body s-table-row s-table-cell")).map(td => td.textContent)`, &cells)
	if len(cells) != 8 {
		t.Fatalf("row cells = %q", cells)
	}
	if cells[1] != api.ValueDisplay || cells[3] != api.FurthestStageLabel || cells[6] != api.StatusLabel {
		t.Errorf("the page shows value %q, stage %q, status %q; the API writes %q, %q, %q",
			cells[1], cells[3], cells[6], api.ValueDisplay, api.FurthestStageLabel, api.StatusLabel)
	}

	q.Set("locale", "de-DE")
	q.Set("tab", "checkout_dropoff")
	p.do("opening the report in German", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
	p.idle("the German report")
	p.until("the drop-off's row in German", `document.querySelector("#sessions s-table-body s-table-row[data-key='`+api.Key+`']") !== null`)
	p.eval(`Array.from(document.querySelectorAll("#sessions s-table-body s-table-row s-table-cell")).map(td => td.textContent)`, &cells)
	// 1.234,50 $ with a no-break space, as Intl writes it for de-DE.
	if len(cells) != 8 || cells[1] != "1.234,50\u00a0$" {
		t.Errorf("for a German admin the value reads %q, want 1.234,50 $", cells)
	}
}

// TestSettingsPageTakesTheServersDefaults runs the settings page on an app
// whose ABANDON_AFTER is 2 hours: it shows the server's threshold, puts
// the server's defaults as the amounts' placeholders, and saves an emptied
// amount as the server's default.
func TestSettingsPageTakesTheServersDefaults(t *testing.T) {
	st := openStore(t, store.DialectSQLite)
	const shop = "defaults.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.AbandonAfter, c.Demo, c.DemoShop = 2*time.Hour, true, shop })
	h.install(shop)
	h.putSettings(shop, map[string]any{"min_value": "12.00", "immediate_min_value": "250.00"})
	var got struct {
		MinValue          string `json:"min_value"`
		ImmediateMinValue string `json:"immediate_min_value"`
		Defaults          struct {
			AbandonAfterMinutes int    `json:"abandon_after_minutes"`
			MinValue            string `json:"min_value"`
			ImmediateMinValue   string `json:"immediate_min_value"`
			Digest              string `json:"digest"`
			Timezone            string `json:"timezone"`
		} `json:"defaults"`
	}
	read := func() {
		t.Helper()
		resp, body := h.api(http.MethodGet, "/api/settings", shop, nil)
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
			t.Fatalf("GET /api/settings: %d %s", resp.StatusCode, body)
		}
	}
	read()
	d := got.Defaults
	if d.AbandonAfterMinutes != 120 || d.MinValue != "0.00" || d.ImmediateMinValue != "0.00" || d.Digest != store.DigestOff || d.Timezone != "UTC" {
		t.Fatalf("defaults = %+v, want ABANDON_AFTER's 120 minutes and store.DefaultAlertSettings", d)
	}

	p := page{t, browser(t, time.Minute)}
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
	p.do("opening settings", chromedp.Navigate(h.srv.URL+"/settings?"+q.Encode()))
	p.until("the settings", `document.getElementById("abandon_after_minutes").value !== ""`)
	var shown struct{ Minutes, Min, Immediate, MinPlaceholder, ImmediatePlaceholder string }
	p.eval(`(() => { const f = document.getElementById("settings-form");
		return { Minutes: f.abandon_after_minutes.value, Min: f.min_value.value, Immediate: f.immediate_min_value.value,
			MinPlaceholder: f.min_value.placeholder, ImmediatePlaceholder: f.immediate_min_value.placeholder }; })()`, &shown)
	want := struct{ Minutes, Min, Immediate, MinPlaceholder, ImmediatePlaceholder string }{"120", "12.00", "250.00", d.MinValue, d.ImmediateMinValue}
	if shown != want {
		t.Errorf("the settings page shows %+v, want %+v", shown, want)
	}

	p.do("emptying both amounts", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.getElementById("settings-form");
		f.min_value.value = ""; f.immediate_min_value.value = ""; f.requestSubmit(); })()`))
	p.until("saved", `document.getElementById("settings-form").dataset.saved === "true"`)
	read()
	if got.MinValue != d.MinValue || got.ImmediateMinValue != d.ImmediateMinValue {
		t.Errorf("emptied amounts saved as %q and %q, want the defaults %q and %q", got.MinValue, got.ImmediateMinValue, d.MinValue, d.ImmediateMinValue)
	}
}
