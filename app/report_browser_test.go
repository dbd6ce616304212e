package app_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// page drives one browser tab in a test.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// until waits for a JavaScript condition to hold. chromedp's poll runs in
// one document's execution context and ends with "Cannot find context with
// specified id" (or "navigated or closed") when that document is replaced
// under it — after a click that leads to another page, or on a loaded
// machine just after a navigation, when a poll can start in the context
// of the page being left — so it starts again in the new document, within
// the same 20 s.
func (p page) until(what, expr string) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		replaced := strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "Cannot find context")
		if !replaced || time.Until(deadline) < time.Second {
			text, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 600) : ""`))
			p.t.Fatalf("waiting for %s: %v\npage text: %s", what, err, text)
		}
	}
}

// eval evaluates expr (which must give JSON) and decodes it into out.
func (p page) eval(expr string, out any) {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string]("JSON.stringify("+expr+")"))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	if err := json.Unmarshal([]byte(s), out); err != nil {
		p.t.Fatalf("decoding %s: %v", s, err)
	}
}

// idle waits until the page has finished loading its data.
func (p page) idle(what string) {
	p.t.Helper()
	p.until(what, `document.body.getAttribute("data-loading") === "false"`)
}

// apiReport is what the test reads from /api/funnel to compare with the page.
type apiReport struct {
	Stages []struct {
		Key                 string
		Sessions            int64
		RateFromPrevious    *float64 `json:"rate_from_previous"`
		DropoffFromPrevious int64    `json:"dropoff_from_previous"`
		ActiveFromPrevious  int64    `json:"active_from_previous"`
	}
	Segments []struct {
		Value  string
		Stages []struct{ Sessions int64 }
	}
	Opportunities []struct {
		To, Label, Band string
		Monthly         string `json:"monthly_opportunity"`
	}
}

func (h *harness) report(shop, query string) apiReport {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/funnel?"+query, shop, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("/api/funnel?%s: %d %s", query, resp.StatusCode, body)
	}
	var r apiReport
	if err := json.Unmarshal(body, &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// pageStage is one stage as the page shows it.
type pageStage struct {
	Key, Sessions, Count, Rate, Dropoff, Active, Band, Chip string
}

const readStages = `Array.from(document.querySelectorAll("#stages li")).map(li => {
	const text = f => (li.querySelector("[data-field=" + f + "]") || {textContent: ""}).textContent.trim();
	const chip = li.querySelector("[data-field=band]");
	return {Key: li.dataset.stage, Sessions: li.dataset.sessions, Count: text("sessions"), Rate: text("rate_from_previous"),
		Dropoff: text("dropoff_from_previous"), Active: text("active_from_previous"),
		Band: chip ? chip.dataset.band : "", Chip: chip ? chip.textContent.trim() : ""}; })`

// sameStages fails unless the page shows the API's stage counts, its
// rates rounded once from those counts, its drop-offs split into dropped
// off and still shopping, and its verdict chips in words.
func sameStages(t *testing.T, what string, got []pageStage, want apiReport) {
	t.Helper()
	if len(got) != 6 || len(want.Stages) != 6 {
		t.Fatalf("%s: page shows %d stages, API has %d", what, len(got), len(want.Stages))
	}
	bands := map[string]string{}
	for _, o := range want.Opportunities {
		bands[o.To] = o.Band
	}
	for i, s := range want.Stages {
		n := strconv.FormatInt(s.Sessions, 10)
		if got[i].Key != s.Key || got[i].Sessions != n || got[i].Count != n {
			t.Errorf("%s: stage %d on page = %+v, API = %s %d", what, i, got[i], s.Key, s.Sessions)
		}
		if i == 0 {
			continue
		}
		if wantRate := funnel.Percent(s.Sessions, want.Stages[i-1].Sessions); got[i].Rate != wantRate {
			t.Errorf("%s: %s step conversion on page = %q, API counts give %q", what, s.Key, got[i].Rate, wantRate)
		}
		wantActive := ""
		if s.ActiveFromPrevious > 0 {
			wantActive = strconv.FormatInt(s.ActiveFromPrevious, 10)
		}
		if got[i].Dropoff != strconv.FormatInt(s.DropoffFromPrevious, 10) || got[i].Active != wantActive {
			t.Errorf("%s: %s drop-offs on page = %q dropped off, %q still shopping; API %d, %d", what, s.Key, got[i].Dropoff, got[i].Active, s.DropoffFromPrevious, s.ActiveFromPrevious)
		}
		if got[i].Band != bands[s.Key] || got[i].Chip != funnel.Verdict(bands[s.Key]).Label() {
			t.Errorf("%s: %s chip on page = %q (%s), API band %q", what, s.Key, got[i].Chip, got[i].Band, bands[s.Key])
		}
	}
}

// readFixes reads "what to fix first" off the page.
const readFixes = `Array.from(document.querySelectorAll("#fix-first .fix")).map(li => ({
	Label: li.querySelector("strong").textContent, Band: li.querySelector("[data-band]").dataset.band,
	Value: li.querySelector(".fix-value").textContent}))`

// sameFixes fails unless the page lists exactly the API's steps below
// typical, in its order, each with its monthly estimate.
func sameFixes(t *testing.T, what string, p page, want apiReport) {
	t.Helper()
	var got []struct{ Label, Band, Value string }
	p.eval(readFixes, &got)
	var below []string
	for _, o := range want.Opportunities {
		if o.Band == string(funnel.VerdictBelow) {
			below = append(below, o.Label+" | about "+wholeDollars(o.Monthly)+" a month")
		}
	}
	var shown []string
	for _, f := range got {
		if f.Band != string(funnel.VerdictBelow) {
			t.Errorf("%s: %s is listed under what to fix first as %s", what, f.Label, f.Band)
		}
		shown = append(shown, f.Label+" | "+f.Value)
	}
	if strings.Join(shown, "\n") != strings.Join(below, "\n") {
		t.Errorf("%s: what to fix first on page =\n%s\nAPI below typical =\n%s", what, strings.Join(shown, "\n"), strings.Join(below, "\n"))
	}
}

// TestReportPageInBrowser loads the demo history, opens the report page in
// Chromium and checks it against the API: the six stages, range and
// segment changes, the abandoned-cart list and its sorting; then it saves
// the report's screenshot.
func TestReportPageInBrowser(t *testing.T) {
	t.Parallel()
	forEachDemo(t, func(t *testing.T, h *harness, shop string) {
		st := h.store
		// PostgreSQL has the larger history, and takes the screenshot.
		sessions := demoSessions(st.Dialect())
		p := page{t, browser(t, 3*time.Minute)}
		today := h.clock.Now().UTC()
		day := func(back int) string { return today.AddDate(0, 0, -back).Format("2006-01-02") }

		q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
		started := time.Now()
		p.do("opening the report", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
		p.idle("the first load")
		t.Logf("first load: %s", time.Since(started).Round(time.Millisecond))
		largestContentfulPaint(t, p, "report-"+string(st.Dialect()))

		var stages []pageStage
		p.eval(readStages, &stages)
		month := h.report(shop, "from="+day(29)+"&to="+day(0))
		if month.Stages[0].Sessions < 30 || month.Stages[5].Sessions == 0 {
			t.Fatalf("the demo history is too thin for the test: %+v", month.Stages)
		}
		sameStages(t, "last 30 days", stages, month)
		samePeriodChanges(t, p, h, shop, "from="+day(29)+"&to="+day(0))

		sameFixes(t, "last 30 days", p, month)
		samePayment(t, p, h, shop, "from="+day(29)+"&to="+day(0))
		var fixes []string
		p.eval(`Array.from(document.querySelectorAll("#fix-first .fix strong")).map(e => e.textContent)`, &fixes)
		// The smaller history may hold too few shoppers for a verdict;
		// the larger one has steps below typical to list.
		if len(month.Opportunities) == 0 || len(fixes) == 0 && sessions >= 1500 {
			t.Errorf("what to fix first shows %v", fixes)
		}

		// Range: last 7 days.
		p.do("choosing 7 days", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById("range"); r.value = "7"; r.dispatchEvent(new Event("change")); })()`))
		p.until("the 7-day report", fmt.Sprintf(`document.querySelector('#report-view .report[data-from=%q]') !== null`, day(6)))
		p.idle("the 7-day load")
		p.eval(readStages, &stages)
		week := h.report(shop, "from="+day(6)+"&to="+day(0))
		sameStages(t, "last 7 days", stages, week)
		sameFixes(t, "last 7 days", p, week)
		if week.Stages[0].Sessions >= month.Stages[0].Sessions {
			t.Errorf("7 days show %d carts, 30 days %d: the range did not change the numbers", week.Stages[0].Sessions, month.Stages[0].Sessions)
		}

		// Segment: by traffic source, over 90 days.
		p.do("choosing 90 days and source", chromedp.Evaluate[chromedp.Void](`(() => {
			const r = document.getElementById("range"); r.value = "90"; r.dispatchEvent(new Event("change"));
			const s = document.getElementById("segment"); s.value = "source"; s.dispatchEvent(new Event("change")); })()`))
		p.until("the segment table", `document.querySelector("#segments s-table-row[data-segment-value]") !== null`)
		p.idle("the segment load")
		var rows []struct{ Value, Entered, Completed string }
		p.eval(`Array.from(document.querySelectorAll("#segments s-table-row[data-segment-value]")).map(tr => ({Value: tr.dataset.segmentValue,
			Entered: tr.querySelector("[data-field=entered]").textContent, Completed: tr.querySelector("[data-field=completed]").textContent}))`, &rows)
		quarter := h.report(shop, "from="+day(89)+"&to="+day(0)+"&segment=source")
		if len(rows) != len(quarter.Segments) || len(rows) < 3 {
			t.Fatalf("page shows %d source rows, API %d", len(rows), len(quarter.Segments))
		}
		for i, s := range quarter.Segments {
			if rows[i].Value != s.Value || rows[i].Entered != strconv.FormatInt(s.Stages[0].Sessions, 10) || rows[i].Completed != strconv.FormatInt(s.Stages[5].Sessions, 10) {
				t.Errorf("segment row %d = %+v, API %s %d/%d", i, rows[i], s.Value, s.Stages[0].Sessions, s.Stages[5].Sessions)
			}
		}
		p.eval(readStages, &stages)
		sameStages(t, "last 90 days", stages, h.report(shop, "from="+day(89)+"&to="+day(0)))

		// The abandoned-cart list, sorted by value.
		p.until("the abandoned carts", `document.querySelectorAll("#sessions s-table-body s-table-row").length > 0`)
		p.do("sorting by value", chromedp.Click(chromedp.CSS(`button.sort[data-sort=value]`)))
		p.until("value sort", `document.querySelector("button.sort[data-sort=value]").closest("s-table-header").getAttribute("aria-sort") === "descending"`)
		var values []string
		p.eval(`Array.from(document.querySelectorAll("#sessions s-table-body s-table-row")).map(tr => tr.dataset.value)`, &values)
		resp, body := h.api(http.MethodGet, "/api/sessions?status=abandoned_cart&sort=value&order=desc&per_page=20&from="+day(89)+"&to="+day(0), shop, nil)
		var list struct {
			Sessions []struct{ Value string }
			Total    int
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Sessions) == 0 {
			t.Fatalf("/api/sessions: %d %s", resp.StatusCode, body)
		}
		if len(values) != len(list.Sessions) || values[0] != list.Sessions[0].Value {
			t.Errorf("page list by value = %v, API first %s (%d rows)", values, list.Sessions[0].Value, len(list.Sessions))
		}
		for i := 1; i < len(values); i++ {
			a, _ := strconv.ParseFloat(values[i-1], 64)
			b, _ := strconv.ParseFloat(values[i], 64)
			if b > a {
				t.Errorf("list not sorted by value: %v", values)
				break
			}
		}
		p.do("sorting by value ascending", chromedp.Click(chromedp.CSS(`button.sort[data-sort=value]`)))
		p.until("ascending sort", `document.querySelector("button.sort[data-sort=value]").closest("s-table-header").getAttribute("aria-sort") === "ascending"`)
		var asc []string
		p.eval(`Array.from(document.querySelectorAll("#sessions s-table-body s-table-row")).map(tr => tr.dataset.value)`, &asc)
		if len(asc) == 0 || asc[0] == values[0] && list.Total > 1 && values[0] != values[len(values)-1] {
			t.Errorf("ascending list starts with %v, descending with %v", asc, values)
		}
		if list.Total > 20 {
			p.do("next page", chromedp.Click(chromedp.ID("next")))
			p.until("page 2", `document.getElementById("page-info").textContent.startsWith("Page 2 ")`)
		}

		if st.Dialect() == store.DialectPostgres {
			screenshot(t, p, h, shop)
		}
	})
}

// updateDocs makes TestReportPageInBrowser also write the README's picture,
// docs/report.png; without it a test run leaves the tracked files alone:
//
//	go test ./app -run TestReportPageInBrowser -update-docs
var updateDocs = flag.Bool("update-docs", false, "TestReportPageInBrowser also writes the README's docs/report.png")

// screenshot saves the report page for the last 30 days as
// artifacts/report.png (ignored by git, for CI to keep), and as
// docs/report.png with -update-docs.
func screenshot(t *testing.T, p page, h *harness, shop string) {
	t.Helper()
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
	p.do("reopening the report", chromedp.EmulateViewport(1100, 1720), chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
	p.idle("the report for the screenshot")
	// The viewport holds the summary, funnel, fixes and trend; the long
	// list below would only make the README's image heavy.
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if len(png) < 10_000 || len(png) > 300_000 {
		t.Fatalf("screenshot is %d bytes, want 10 kB to 300 kB", len(png))
	}
	dirs := []string{filepath.Join("..", "artifacts")}
	if *updateDocs {
		dirs = append(dirs, filepath.Join("..", "docs"))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "report.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %d bytes in %s", len(png), filepath.Join(dir, "report.png"))
	}
}

// TestSettingsPageInBrowser saves the settings form, reloads it, and shows
// a refused value beside its field.
func TestSettingsPageInBrowser(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectPostgres)
	const shop = "browser-settings.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	h.install(shop)
	request := strings.ReplaceAll(string(testkit.Fixture(t, "customers_data_request.json")), "{shop}.myshopify.com", shop)
	if resp, _ := h.webhook("customers/data_request", shop, "dr-1", []byte(request)); resp.StatusCode != http.StatusOK {
		t.Fatalf("customers/data_request: %d", resp.StatusCode)
	}
	p := page{t, browser(t, 2*time.Minute)}
	open := func() {
		q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
		p.do("opening settings", chromedp.Navigate(h.srv.URL+"/settings?"+q.Encode()))
		p.until("the settings", `document.getElementById("abandon_after_minutes").value !== ""`)
	}
	open()
	var v string
	p.eval(`document.getElementById("abandon_after_minutes").value`, &v)
	if v != "60" {
		t.Fatalf("threshold shows %q, want the default 60", v)
	}
	p.eval(`document.getElementById("alerts-status").textContent`, &v)
	p.until("the alerts list", `document.getElementById("alerts-status").textContent !== "Loading…"`)
	p.until("the data requests", `!document.getElementById("data-requests-table").hidden`)
	p.eval(`document.querySelector("#data-requests-table s-table-body").textContent`, &v)
	if !strings.Contains(v, "john@example.com") || !strings.Contains(v, "Download") {
		t.Errorf("data requests list = %q", v)
	}

	p.do("entering 90 minutes", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.getElementById("settings-form");
		f.abandon_after_minutes.value = "90";
		f.emails.value = "owner@example.com";
		f.requestSubmit(); })()`))
	p.until("saved", `document.getElementById("settings-form").dataset.saved === "true"`)
	_, body := h.api(http.MethodGet, "/api/settings", shop, nil)
	if !strings.Contains(string(body), `"abandon_after_minutes":90`) {
		t.Fatalf("settings after saving = %s", body)
	}
	open()
	p.eval(`document.getElementById("abandon_after_minutes").value`, &v)
	if v != "90" {
		t.Errorf("threshold after reload = %q, want 90", v)
	}

	p.do("entering 2 minutes", chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.getElementById("settings-form");
		f.abandon_after_minutes.value = "2"; f.requestSubmit(); })()`))
	p.until("the field error", `!document.querySelector('.field-error[data-field="abandon_after_minutes"]').hidden`)
	p.eval(`document.querySelector('.field-error[data-field="abandon_after_minutes"]').textContent`, &v)
	if !strings.Contains(v, "between 5 minutes and 7 days") {
		t.Errorf("field error = %q", v)
	}
	_, body = h.api(http.MethodGet, "/api/settings", shop, nil)
	if !strings.Contains(string(body), `"abandon_after_minutes":90`) {
		t.Errorf("a refused value changed the settings: %s", body)
	}
}

// TestReportPageWithoutShopifyCDN opens the page outside demo mode, where
// it loads App Bridge from Shopify's CDN, with the CDN unreachable: the
// server-rendered report still shows, and the page says what to do.
func TestReportPageWithoutShopifyCDN(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectSQLite)
	h := newHarness(t, st)
	const shop = "no-cdn.myshopify.com"
	h.install(shop)
	for _, d := range journey(t, 1, 6, h.clock.Now().Add(-2*time.Hour), 4200) {
		h.webhook(d.topic, shop, d.id, d.body)
	}
	p := page{t, browser(t, time.Minute)}
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
	p.do("opening the report", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
	p.until("the funnel", `document.querySelector("#stages li[data-stage=completed]") !== null`)
	var stages []pageStage
	p.eval(readStages, &stages)
	if len(stages) != 6 || stages[0].Sessions != "1" || stages[5].Sessions != "1" {
		t.Errorf("stages without the CDN = %+v", stages)
	}
	p.until("the list's message", `document.getElementById("list-status").textContent.includes("Shopify admin")`)

	// Polaris is not there: its elements stay undefined, and the fallback
	// styles and roles keep the page legible and usable.
	var fallback struct {
		Polaris, AppBridge, HeadingShown bool
		SectionBackground, ButtonRole    string
		ButtonTab, TableRole, CellRole   string
		SectionPadding                   string
	}
	p.eval(`(() => { const sec = document.getElementById("funnel"), b = document.getElementById("refresh");
		return {Polaris: !!customElements.get("s-page"), AppBridge: document.documentElement.classList.contains("app-bridge"),
			HeadingShown: document.querySelector("h1").getBoundingClientRect().height > 0,
			SectionBackground: getComputedStyle(sec).backgroundColor, SectionPadding: getComputedStyle(sec).paddingTop,
			ButtonRole: b.getAttribute("role"), ButtonTab: b.getAttribute("tabindex"),
			TableRole: document.getElementById("sessions").getAttribute("role"),
			CellRole: document.querySelector("#sessions s-table-header").getAttribute("role")}; })()`, &fallback)
	want := struct {
		Polaris, AppBridge, HeadingShown bool
		SectionBackground, ButtonRole    string
		ButtonTab, TableRole, CellRole   string
		SectionPadding                   string
	}{false, false, true, "rgb(255, 255, 255)", "button", "0", "table", "columnheader", "16px"}
	if fallback != want {
		t.Errorf("without the CDN the page is %+v, want %+v", fallback, want)
	}
}

// openStore opens a fresh, migrated store on one dialect.
func openStore(t *testing.T, dialect string) *store.Store {
	t.Helper()
	return storetest.Open(t, dialect)
}
