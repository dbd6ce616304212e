package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// TestRenderAnomalies renders the report's callout for a step anomaly:
// the sentence, what it rests on and the "See that day" link to that day's
// report by device; no callout without anomalies.
func TestRenderAnomalies(t *testing.T) {
	base := viewOf(funnel.Tally{}, nil)
	if html := renderHome(t, base); strings.Contains(html, `id="anomalies"`) {
		t.Fatal("a callout without anomalies")
	}
	an := store.Anomaly{Day: "2026-11-20", Step: funnel.StageCompleted, Device: funnel.DeviceMobile,
		Since: time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC), ExpectedRate: 0.68, ObservedRate: 0.41,
		Shoppers: 200, Reached: 82, Lost: 54, ValueAtRisk: 188686, Currency: "USD", Status: store.AlertSent}
	v := base
	v.Anomalies = buildAnomalyViews([]anomalyJSON{toAnomalyJSON(an, store.Shop{Currency: "USD"}, time.UTC)})
	html := renderHome(t, v)
	noNaN(t, html)
	for _, want := range []string{
		`id="anomalies"`, `data-step="completed" data-device="mobile" data-day="2026-11-20"`,
		"Reached payment → Completed order on mobile fell from 68% to 41% since 14:00 — about $1,887 at risk today.",
		"Mobile, 2026-11-20: 41.0% of 200 shoppers went through, about 54 fewer",
		`<a href="/?from=2026-11-20&amp;segment=device&amp;to=2026-11-20" data-keep-query class="anomaly-evidence">See that day</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if got := alerts.AnomalySummary(an, "USD", time.FixedZone("UTC+1", 3600)); !strings.Contains(got, "since 15:00") {
		t.Errorf("in the shop's zone: %q", got)
	}

	// A small shop's anomaly over 3 days: since a day, the days' report.
	an.WindowDays, an.Since, an.Shoppers, an.Reached, an.Lost = 3, time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), 33, 12, 11
	v.Anomalies = buildAnomalyViews([]anomalyJSON{toAnomalyJSON(an, store.Shop{Currency: "USD"}, time.UTC)})
	html = renderHome(t, v)
	for _, want := range []string{
		"on mobile fell from 68% to 41% since Wednesday 18 Nov — about $1,887 at risk over the last 3 days.",
		"Mobile, the 3 days to 2026-11-20: 36.4% of 33 shoppers went through, about 11 fewer than on the same days of the 4 weeks before.",
		`<a href="/?from=2026-11-18&amp;segment=device&amp;to=2026-11-20" data-keep-query class="anomaly-evidence">See those days</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestSettingsPageAnomalies checks the settings page's anomaly fields: the
// toggle, and the materiality with the server's bounds and default.
func TestSettingsPageAnomalies(t *testing.T) {
	t.Parallel()
	pages := parsePages(t)
	var buf bytes.Buffer
	s := settingsResponse{}
	s.AnomaliesEnabled, s.AnomalyMateriality, s.Defaults.AnomalyMateriality = true, 30, store.DefaultAnomalyMateriality
	if err := pages.ExecuteTemplate(&buf, "settings.html", pageData{Title: "Settings", Shop: "s.myshopify.com", Data: newSettingsView(s)}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<input type="checkbox" id="anomalies_enabled" name="anomalies_enabled" checked`,
		`name="anomaly_materiality" value="30" placeholder="20" min="5" max="90" step="1"`,
		"from 5 to 90",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
}
