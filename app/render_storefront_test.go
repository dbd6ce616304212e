package app

import (
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestRenderStorefrontOff renders a report whose shop's pixel has sent
// nothing: no storefront section, one line pointing to Settings →
// Storefront tracking, in the ok and the no-data state alike.
func TestRenderStorefrontOff(t *testing.T) {
	t.Parallel()
	for _, state := range []string{reportOK, reportNoData} {
		v := viewOf(funnel.Tally{}, nil)
		v.State = state
		html := renderHome(t, v)
		if !strings.Contains(html, `id="storefront-off"`) || !strings.Contains(html, "Settings → Storefront tracking") {
			t.Errorf("%s: the page does not point to Settings → Storefront tracking", state)
		}
		if strings.Contains(html, `id="storefront"`) {
			t.Errorf("%s: the page shows a storefront section without a storefront block", state)
		}
	}
}

// TestRenderStorefrontEmpty renders a storefront block of no visits at
// all (the pixel has sent only bots, say): every rate reads "—", never
// NaN, and the reviews line says no visit reached them.
func TestRenderStorefrontEmpty(t *testing.T) {
	t.Parallel()
	r := funnelResponse{Report: funnel.BuildReport(funnel.Tally{}), Elapsed: 30 * 24 * time.Hour}
	r.Storefront = &storefrontBlock{StorefrontReport: funnel.BuildStorefrontReport(funnel.StorefrontTally{}),
		Devices: funnel.DeviceComparison(nil)}
	v := buildReportView(reportView{From: "2026-10-26", To: "2026-11-24"}, withOpportunities(r))
	html := renderHome(t, v)
	for _, want := range []string{`id="storefront"`, "Before the cart", `id="storefront-devices"`, "No visit has reached a product&#39;s reviews yet."} {
		if !strings.Contains(html, want) {
			t.Errorf("the empty storefront section lacks %q", want)
		}
	}
	if strings.Contains(html, `id="storefront-off"`) {
		t.Error("a shop whose pixel has sent events is told to turn it on")
	}
	noNaN(t, html)
}
