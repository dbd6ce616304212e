package app

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/static"
	"github.com/funnelscope/funnelscope/templates"
)

// parsePages parses the page templates as New does.
func parsePages(t *testing.T) *template.Template {
	t.Helper()
	assets, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.Parse(assets.URL)
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// renderHome renders the report page for a report view, as home does.
func renderHome(t *testing.T, v reportView) string {
	t.Helper()
	pages := parsePages(t)
	var buf bytes.Buffer
	err := pages.ExecuteTemplate(&buf, "home.html", pageData{Title: "Funnel", Shop: "s.myshopify.com", Data: homeView{
		Today: "2026-11-24", Report: v, Segments: funnel.Segments(),
		List: listView{Title: "Shoppers who stopped", Tabs: listTabs(false)},
	}})
	if err != nil {
		t.Fatalf("rendering: %v", err)
	}
	return buf.String()
}

// viewOf builds the report view of a tally, with a segment split, for a
// range of 30 days that has fully passed.
func viewOf(t funnel.Tally, segments map[string]*funnel.Tally) reportView {
	r := funnelResponse{Report: funnel.BuildReport(t), Elapsed: 30 * 24 * time.Hour}
	if segments != nil {
		r.Segments = segmentReports(segments, "source")
	}
	return buildReportView(reportView{From: "2026-10-26", To: "2026-11-24", Segment: "source"}, withOpportunities(r))
}

func noNaN(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []string{"NaN", "Infinity", "+Inf", "-Inf", "%!"} {
		if strings.Contains(html, bad) {
			i := strings.Index(html, bad)
			t.Errorf("page shows %q: …%s…", bad, html[max(0, i-120):min(len(html), i+60)])
		}
	}
}

func TestRenderNoDataState(t *testing.T) {
	t.Parallel()
	v := viewOf(funnel.Tally{}, nil)
	v.State, v.IdleMinutes = reportNoData, 45
	html := renderHome(t, v)
	for _, want := range []string{`id="empty-state"`, "Your funnel will appear here", "has not sent any carts or checkouts yet", "after 45 minutes"} {
		if !strings.Contains(html, want) {
			t.Errorf("no-data page lacks %q", want)
		}
	}
	if strings.Contains(html, `id="stages"`) || strings.Contains(html, `id="report-error"`) {
		t.Error("no-data page shows a funnel or an error")
	}
	noNaN(t, html)
}

func TestRenderEmptyRange(t *testing.T) {
	t.Parallel()
	v := viewOf(funnel.Tally{}, nil)
	if v.State != reportEmptyRange {
		t.Fatalf("state of an empty report = %s", v.State)
	}
	html := renderHome(t, v)
	if !strings.Contains(html, `id="empty-range"`) || !strings.Contains(html, `No shoppers started a cart between <time datetime="2026-10-26">2026-10-26</time> and <time datetime="2026-11-24">2026-11-24</time>`) {
		t.Error("empty range is not explained")
	}
	if strings.Count(html, `data-sessions="0"`) != 6 || !strings.Contains(html, `<span class="step-rate" data-field="rate_from_previous">—</span>`) {
		t.Error("an empty funnel should show six zero stages with — for rates")
	}
	noNaN(t, html)
}

func TestRenderErrorState(t *testing.T) {
	t.Parallel()
	html := renderHome(t, reportView{From: "2026-10-26", To: "2026-11-24", State: reportError, Error: "from must not be after to."})
	for _, want := range []string{`id="report-error"`, "The report could not be loaded", "from must not be after to.", "Nothing is lost"} {
		if !strings.Contains(html, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if strings.Contains(html, `id="stages"`) {
		t.Error("error page shows a funnel")
	}
}

func TestRenderZeroCompletions(t *testing.T) {
	t.Parallel()
	var tally funnel.Tally
	tally.Furthest[funnel.StageAddedToCart] = 40
	tally.Furthest[funnel.StageCheckoutStarted] = 10
	tally.AbandonedCarts, tally.CheckoutDropoffs, tally.ValueAtRisk, tally.Currency = 40, 10, 250000, "EUR"
	web := tally
	v := viewOf(tally, map[string]*funnel.Tally{"web": &web, "email": {}})
	html := renderHome(t, v)
	noNaN(t, html)
	if !strings.Contains(html, `id="m-conversion">0.0%</span>`) || !strings.Contains(html, `id="m-orders">0</span>`) {
		t.Error("zero completions should read 0 orders and 0.0%")
	}
	if !strings.Contains(html, `id="value_at_risk" data-money="2500.00" data-currency="EUR">€2,500.00</span>`) {
		t.Error("value at risk is not formatted as money")
	}
	// The step after a stage nobody reached has no rate: "—", not NaN.
	if !strings.Contains(html, `data-stage="address_submitted" data-sessions="0"`) || strings.Count(html, ">—<") < 3 {
		t.Error("steps with nothing to divide by should read —")
	}
	// The email segment has no sessions at all: its row still renders.
	if !strings.Contains(html, `data-segment-value="email"`) {
		t.Error("segment row missing")
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		money("1234567.50", "USD"): "$1,234,567.50", money("-12.00", "GBP"): "-£12.00", money("999.99", "SEK"): "999.99 SEK",
		money("1234.50", "CAD"): "CA$1,234.50", money("1234.50", "AUD"): "A$1,234.50",
		money("0.00", ""): "0.00", share(0.65): "65%", share(0.925): "92.5%", estimate("6000.00", "USD"): "$6,000",
		estimate("4.70", "EUR"): "€4.70", plural(1, "cart"): "1 cart", plural(18, "cart"): "18 carts",
		duration(nil): "—", duration(new(30.0)): "under 1 min", duration(new(600.0)): "10 min",
		duration(new(3.5 * 3600)): "3 h 30 min", duration(new(3 * 86400.0)): "3.0 days",
		barWidth(0, 0): "0%", barWidth(1, 1000): "0.5%", barWidth(50, 200): "25.0%",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// TestRenderSegmentKnownOnlyFromTheOrder: new vs returning is known only
// from the order, so its row shows counts and no rate at all.
func TestRenderSegmentKnownOnlyFromTheOrder(t *testing.T) {
	t.Parallel()
	var seg funnel.Tally
	seg.Furthest = [funnel.StageCompleted + 1]int64{0, 0, 0, 0, 0, 0, 466}
	r := funnelResponse{Report: funnel.BuildReport(seg), Segment: funnel.SegmentNewVsReturning}
	r.Segments = segmentReports(map[string]*funnel.Tally{"new": &seg}, funnel.SegmentNewVsReturning)
	html := renderHome(t, buildReportView(reportView{Segment: funnel.SegmentNewVsReturning}, withOpportunities(r)))
	_, row, _ := strings.Cut(html, `data-segment-value="new"`)
	row, _, _ = strings.Cut(row, "</tr>")
	// The six rate columns, the first saying why.
	if !strings.Contains(row, `data-label="Cart to order" data-field="not-known">not known before completed order</s-table-cell>`) ||
		strings.Count(row, `data-field="not-known"`) != 6 || strings.Contains(row, "100.0%") {
		t.Errorf("new customers' row rates what only their orders tell: %s", row)
	}
}

// TestRenderUnpricedStepSaysWhy: with no order in the range the average
// order value comes from the carts, and the header states it; a step
// below typical then cannot be priced because no shopper has ordered, not
// for want of an order value.
func TestRenderUnpricedStepSaysWhy(t *testing.T) {
	t.Parallel()
	var tally funnel.Tally
	tally.Furthest[funnel.StageAddedToCart] = 360
	tally.Furthest[funnel.StageCheckoutStarted] = 40
	tally.UnorderedValue, tally.Currency = 400*40_00, "USD"
	html := renderHome(t, viewOf(tally, nil))
	for _, want := range []string{"Order value: $40.00, the average value of the range&#39;s 400 carts, as it has no order yet.",
		"not priced: no shopper of this range has ordered yet"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(html, "no order value") {
		t.Error("the page says there is no order value while its header states one")
	}
}
