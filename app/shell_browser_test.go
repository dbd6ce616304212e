package app_test

import (
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/internal/uitypes"
	"github.com/funnelscope/funnelscope/store"
)

// readElements lists the page's s-* and ui-* elements with their
// attributes, the markup its scripts built included.
const readElements = `Array.from(document.querySelectorAll("*")).filter(e => /^(s|ui)-/.test(e.localName)).map(e => ({Tag: e.localName, Attrs: e.getAttributeNames()}))`

// checkMarkup fails on an s-* or ui-* element of the page, or an attribute
// of one, that Shopify's type packages do not declare.
func checkMarkup(t *testing.T, p page, what string) {
	t.Helper()
	root, err := uitypes.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := uitypes.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	var els []struct {
		Tag   string
		Attrs []string
	}
	p.eval(readElements, &els)
	if len(els) < 10 {
		t.Errorf("%s: %d Polaris or App Bridge elements, want the page built from them", what, len(els))
	}
	seen := map[string]bool{}
	for _, e := range els {
		for _, problem := range catalog.Check(e.Tag, e.Attrs) {
			if !seen[problem] {
				seen[problem] = true
				t.Errorf("%s: %s", what, problem)
			}
		}
	}
}

// outline is what the accessibility checks read off a page.
type outline struct {
	H1       int
	Levels   []int
	Skips    []string
	Tabs     []string // each tab's problem, if any
	Sort     []string // each sortable column's aria-sort
	Contrast []string // text under 4.5:1, with its ratio
	Polaris  bool
}

// readOutline reads the headings, the tabs, the sortable columns and the
// contrast of every visible text, computed from the styles in force.
const readOutline = `(() => {
	const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
	const hs = Array.from(document.querySelectorAll("h1,h2,h3,h4,h5,h6")).filter(h => h.closest("[hidden]") === null);
	const levels = hs.map(h => +h.tagName[1]);
	const skips = [];
	levels.forEach((l, i) => { if (i > 0 && l > levels[i-1] + 1) { skips.push(hs[i].textContent); } });
	const tabs = Array.from(document.querySelectorAll("[role=tab]")).map(t => {
		const panel = document.getElementById(t.getAttribute("aria-controls") || "");
		return !panel ? t.textContent + ": no panel" : panel.getAttribute("role") !== "tabpanel" ? t.textContent + ": panel is not a tabpanel" : "";
	}).filter(x => x);
	const sort = Array.from(document.querySelectorAll("button.sort")).map(b => b.parentElement.getAttribute("role") + " " + b.parentElement.getAttribute("aria-sort"));
	const rgb = s => { const m = s.match(/[\d.]+/g) || [0,0,0,0]; return m.map(Number).concat([1]).slice(0, 4); };
	const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126*f(c[0]) + 0.7152*f(c[1]) + 0.0722*f(c[2]); };
	const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) { return c; } } return [255,255,255,1]; };
	const contrast = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const e = n.parentElement;
		if (!n.textContent.trim() || !e || !visible(e) || e.closest("[aria-hidden=true], svg, [disabled], .visually-hidden, .page-heading[hidden]")) { continue; }
		const fg = rgb(getComputedStyle(e).color), b = bg(e);
		const l1 = lum(fg), l2 = lum(b);
		const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
		if (ratio < 4.5) { contrast.push(n.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2)); }
	}
	return {H1: document.querySelectorAll("h1").length, Levels: levels, Skips: skips, Tabs: tabs, Sort: sort, Contrast: contrast,
		Polaris: !!customElements.get("s-page")};
})()`

// checkOutline fails unless the page has one h1, headings in order, tabs
// tied to their panel, sortable columns that say their order, and text of
// at least 4.5:1 contrast; and it is in the CDN-less mode the tests run in.
func checkOutline(t *testing.T, p page, what string) outline {
	t.Helper()
	var o outline
	p.eval(readOutline, &o)
	if o.H1 != 1 || len(o.Levels) == 0 || o.Levels[0] != 1 || len(o.Skips) > 0 {
		t.Errorf("%s: %d h1, heading levels %v, skipped before %q", what, o.H1, o.Levels, o.Skips)
	}
	if len(o.Tabs) > 0 {
		t.Errorf("%s: tabs %v", what, o.Tabs)
	}
	for _, s := range o.Sort {
		if !strings.HasPrefix(s, "columnheader ") || !slices.Contains([]string{"ascending", "descending", "none"}, strings.TrimPrefix(s, "columnheader ")) {
			t.Errorf("%s: a sortable column is %q, want a columnheader with aria-sort", what, s)
		}
	}
	if len(o.Contrast) > 0 {
		t.Errorf("%s: text under 4.5:1 contrast: %v", what, o.Contrast)
	}
	if o.Polaris {
		t.Errorf("%s: Polaris is defined, but the tests run without Shopify's CDN", what)
	}
	return o
}

// demoPage opens path of the demo app in p with a fresh token and waits for it.
func demoPage(p page, h *harness, shop, path, query string) {
	p.t.Helper()
	q, _ := url.ParseQuery(query)
	q.Set("shop", shop)
	q.Set("embedded", "1")
	q.Set("id_token", h.sessionToken(shop))
	p.do("opening "+path, chromedp.Navigate(h.srv.URL+path+"?"+q.Encode()))
	p.until(path+" loaded", `document.readyState === "complete"`)
}

// TestNavigationInBrowser opens the demo and moves between its pages by
// the in-page navigation demo mode keeps (there is no admin around it):
// each page lists the admin's navigation (s-app-nav) from the one list of
// pages, marks its own entry, and passes the markup and accessibility
// checks with the markup its scripts built.
func TestNavigationInBrowser(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectSQLite)
	p := page{t, browser(t, 2*time.Minute)}
	demoPage(p, h, shop, "/", "")
	p.idle("the report")
	type nav struct {
		AppNav  []string
		Demo    []string
		Current string
		Page    string
	}
	readNav := `({AppNav: Array.from(document.querySelectorAll("s-app-nav > s-link")).map(l => l.getAttribute("href") + " " + l.textContent),
		Demo: Array.from(document.querySelectorAll(".demo-nav a")).map(a => new URL(a.href).pathname + " " + a.textContent),
		Current: (document.querySelector(".demo-nav a[aria-current=page]") || {textContent: ""}).textContent,
		Page: document.body.dataset.page})`
	want := []string{"/ Report", "/sessions Sessions", "/changes Changes", "/settings Settings"}
	check := func(page, current string) {
		t.Helper()
		var n nav
		p.eval(readNav, &n)
		if n.Page != page || n.Current != current || strings.Join(n.AppNav, "|") != strings.Join(want, "|") || strings.Join(n.Demo, "|") != strings.Join(want, "|") {
			t.Errorf("on %s: %+v, want the app nav and the demo nav to list %v with %s current", page, n, want, current)
		}
	}
	check("home", "Report")
	checkOutline(t, p, "report")
	checkMarkup(t, p, "report")
	// Without Polaris, its buttons still answer the keyboard: Enter on
	// Refresh loads a new report view.
	p.do("marking the report view", chromedp.Evaluate[chromedp.Void](`window.shownView = document.querySelector("#report-view .report")`))
	p.do("focusing Refresh", chromedp.Focus(chromedp.ID("refresh")))
	p.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	p.until("a new report view", `document.querySelector("#report-view .report") !== window.shownView && document.body.dataset.loading === "false"`)

	p.do("following Sessions", chromedp.Click(chromedp.CSS(`.demo-nav a[href^="/sessions"]`)))
	p.until("the sessions page", `document.body && document.body.dataset.page === "sessions" && document.body.dataset.loading === "false"`)
	check("sessions", "Sessions")
	checkOutline(t, p, "sessions")
	checkMarkup(t, p, "sessions")
	p.do("following Changes", chromedp.Click(chromedp.CSS(`.demo-nav a[href^="/changes"]`)))
	p.until("the changes page", `document.body && document.body.dataset.page === "changes" && document.body.dataset.loading === "false"`)
	check("changes", "Changes")
	checkOutline(t, p, "changes")
	checkMarkup(t, p, "changes")

	p.do("following Settings", chromedp.Click(chromedp.CSS(`.demo-nav a[href^="/settings"]`)))
	p.until("the settings page", `document.body && document.body.dataset.page === "settings" && document.readyState === "complete"`)
	p.until("the alerts list", `document.getElementById("alerts-status").textContent !== "Loading…"`)
	check("settings", "Settings")
	if loc := p.location(); loc.Query().Get("shop") != shop || loc.Query().Get("id_token") == "" {
		t.Errorf("the settings link went to %s, want the shop and a fresh token", loc)
	}
	checkOutline(t, p, "settings")
	checkMarkup(t, p, "settings")

	p.do("following Report", chromedp.Click(chromedp.CSS(`.demo-nav a[href^="/?"]`)))
	p.until("the report page", `document.body && document.body.dataset.page === "home" && document.body.dataset.loading === "false"`)
	check("home", "Report")
}

// TestReportStateInAddress changes the range, the split, the tab, the
// sort and the page, and checks that the address holds them, that a
// reload shows the same, and that the back button goes back through them.
func TestReportStateInAddress(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectPostgres)
	p := page{t, browser(t, 2*time.Minute)}
	demoPage(p, h, shop, "/", "")
	p.idle("the report")
	today := h.clock.Now().UTC()
	from7 := today.AddDate(0, 0, -6).Format("2006-01-02")

	// Page is the page of the list shown, with or without a pager (which
	// hides when one page holds the list).
	type shown struct {
		Range, Segment, Tab, Sort, From string
		Page                            string
	}
	read := `({Range: document.getElementById("range").value, Segment: document.getElementById("segment").value,
		Tab: document.querySelector("#lists [role=tab][aria-selected=true]").dataset.status,
		Sort: document.querySelector("[aria-sort=ascending], [aria-sort=descending]").firstElementChild.dataset.sort + " " +
			document.querySelector("[aria-sort=ascending], [aria-sort=descending]").getAttribute("aria-sort"),
		From: document.querySelector("#report-view .report").dataset.from,
		Page: document.getElementById("pager").hidden ? "Page 1" : document.getElementById("page-info").textContent.split(" · ")[0].split(" of ")[0]})`
	expect := func(what string, want shown) {
		t.Helper()
		var got shown
		p.eval(read, &got)
		if got != want {
			t.Errorf("%s: the page shows %+v, want %+v", what, got, want)
		}
	}
	params := func() url.Values { return p.location().Query() }

	p.do("choosing 7 days", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById("range"); r.value = "7"; r.dispatchEvent(new Event("change")); })()`))
	p.until("the 7-day report", `document.querySelector('#report-view .report[data-from="`+from7+`"]') !== null`)
	p.idle("the 7-day load")
	p.do("choosing source", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("segment"); s.value = "source"; s.dispatchEvent(new Event("change")); })()`))
	p.until("the segment table", `document.querySelector("#segments s-table-row[data-segment-value]") !== null`)
	p.idle("the segment load")
	// The tabs answer the arrow keys: → is the next tab, chosen.
	p.do("the first tab", chromedp.Focus(chromedp.CSS(`#lists [role=tab][data-status=abandoned_cart]`)))
	p.do("arrow right", chromedp.KeyEvent(kb.ArrowRight))
	p.until("the checkout drop-offs tab", `document.activeElement.dataset.status === "checkout_dropoff" && document.activeElement.getAttribute("aria-selected") === "true" && document.getElementById("list-panel").getAttribute("aria-labelledby") === "tab-checkout_dropoff"`)
	p.until("the drop-off list", `document.getElementById("list-status").textContent !== "Loading…"`)
	afterTab := p.location().String()
	p.do("sorting by value", chromedp.Click(chromedp.CSS(`button.sort[data-sort=value]`)))
	p.until("value sort", `document.querySelector("button.sort[data-sort=value]").parentElement.getAttribute("aria-sort") === "descending"`)

	q := params()
	if q.Get("range") != "7" || q.Get("segment") != "source" || q.Get("tab") != "checkout_dropoff" || q.Get("sort") != "value" || q.Has("from") {
		t.Fatalf("the address after the changes: %s", q.Encode())
	}
	want := shown{Range: "7", Segment: "source", Tab: "checkout_dropoff", Sort: "value descending", From: from7, Page: "Page 1"}
	expect("after the changes", want)

	p.do("reloading", chromedp.Reload())
	p.until("the reloaded page", `document.body && document.body.dataset.page === "home"`)
	p.idle("the reload")
	p.until("the reloaded list", `document.getElementById("list-status").textContent !== "Loading…"`)
	expect("after the reload", want)
	var segmentRows int
	p.eval(`document.querySelectorAll("#segments s-table-row[data-segment-value]").length`, &segmentRows)
	if segmentRows == 0 {
		t.Error("the reloaded report has no segment table")
	}

	p.do("going back", chromedp.NavigateBack())
	p.until("the sort undone", `location.href === `+jsString(afterTab)+` && document.querySelector("button.sort[data-sort=time]").parentElement.getAttribute("aria-sort") === "descending"`)
	p.idle("back once")
	expect("one step back", shown{Range: "7", Segment: "source", Tab: "checkout_dropoff", Sort: "time descending", From: from7, Page: "Page 1"})
	p.do("going back again", chromedp.NavigateBack())
	p.until("the tab undone", `document.querySelector("#lists [role=tab][aria-selected=true]").dataset.status === "abandoned_cart"`)
	p.idle("back twice")
	expect("two steps back", shown{Range: "7", Segment: "source", Tab: "abandoned_cart", Sort: "time descending", From: from7, Page: "Page 1"})

	// A shared link: the custom dates, the split and the second page.
	from, to := today.AddDate(0, 0, -59).Format("2006-01-02"), today.AddDate(0, 0, -1).Format("2006-01-02")
	demoPage(p, h, shop, "/", "from="+from+"&to="+to+"&segment=country&page=2")
	p.idle("the shared link")
	p.until("the list", `document.getElementById("list-status").textContent !== "Loading…"`)
	var custom struct {
		Range, From, To, Segment string
		Hidden                   bool
		Page                     string
	}
	p.eval(`({Range: document.getElementById("range").value, From: document.getElementById("from").value, To: document.getElementById("to").value,
		Segment: document.getElementById("segment").value, Hidden: document.getElementById("custom-range").hidden,
		Page: document.getElementById("page-info").textContent})`, &custom)
	if custom.Range != "custom" || custom.From != from || custom.To != to || custom.Segment != "country" || custom.Hidden || !strings.HasPrefix(custom.Page, "Page 2 ") {
		t.Errorf("the shared link shows %+v, want custom dates %s to %s by country, page 2", custom, from, to)
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestSettingsSaveBarInBrowser edits the settings in demo mode, where no
// App Bridge gives the admin's save bar: the page's own save bar shows,
// Discard puts the saved values back, leaving with unsaved edits asks
// first, Save saves with a toast, and a refused value is shown beside its
// field and tied to it.
func TestSettingsSaveBarInBrowser(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectSQLite)
	const shop = "browser-savebar.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	sh := h.install(shop)
	p := page{t, browser(t, 2*time.Minute)}

	// Each dialog is answered, and each leave prompt told: the merchant
	// stays on the page while leave is false.
	var leave atomic.Bool
	asked := make(chan struct{}, 10)
	go func() {
		for ev, err := range chromedp.Events(p.ctx, cdppage.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(p.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: leave.Load()})
			if ev.Type == cdppage.DialogTypeBeforeunload {
				asked <- struct{}{}
			}
		}
	}()
	waitAsked := func(what string) {
		t.Helper()
		select {
		case <-asked:
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: the page did not ask before leaving", what)
		}
	}

	demoPage(p, h, shop, "/settings", "")
	p.until("the form", `document.getElementById("settings-form").dataset.dirty === "false"`)
	var formState struct {
		Bar, Dirty bool
		Minutes    string
		SaveBar    bool
	}
	read := `({Bar: !document.getElementById("save-bar").hidden, Dirty: document.getElementById("settings-form").dataset.dirty === "true",
		Minutes: document.getElementById("abandon_after_minutes").value, SaveBar: document.getElementById("settings-form").hasAttribute("data-save-bar")})`
	p.eval(read, &formState)
	if formState.Bar || formState.Dirty || formState.Minutes != "60" || !formState.SaveBar {
		t.Fatalf("the untouched form: %+v, want the saved 60 minutes, no save bar shown, and data-save-bar for the admin's", formState)
	}

	// Typing shows the save bar; Discard puts the saved value back.
	p.do("typing 5", chromedp.SendKeys(chromedp.ID("abandon_after_minutes"), "5"))
	p.until("the save bar", `!document.getElementById("save-bar").hidden`)
	p.do("discarding", chromedp.Click(chromedp.ID("discard")))
	p.until("the discarded edit", `document.getElementById("save-bar").hidden && document.getElementById("abandon_after_minutes").value === "60"`)

	// Leaving with an unsaved edit asks; staying keeps the edit.
	p.do("typing 5 again", chromedp.SendKeys(chromedp.ID("abandon_after_minutes"), "5"))
	p.until("the save bar again", `!document.getElementById("save-bar").hidden`)
	p.do("leaving for the report", chromedp.Click(chromedp.CSS(`.demo-nav a[href^="/?"]`)))
	waitAsked("leaving with an unsaved edit")
	p.until("still on settings", `document.body.dataset.page === "settings" && document.getElementById("abandon_after_minutes").value === "605"`)

	// Save: saved, a toast, the bar gone, and leaving asks nothing.
	p.do("saving", chromedp.Click(chromedp.ID("save")))
	p.until("saved", `document.getElementById("settings-form").dataset.saved === "true"`)
	var after struct {
		Bar   bool
		Toast string
	}
	p.eval(`({Bar: !document.getElementById("save-bar").hidden, Toast: document.getElementById("toasts").textContent})`, &after)
	if after.Bar || !strings.Contains(after.Toast, "Settings saved") {
		t.Errorf("after saving: save bar shown %v, toasts %q", after.Bar, after.Toast)
	}
	set, err := st.Settings(t.Context(), sh.ID)
	if err != nil || set.AbandonAfter != 605*time.Minute {
		t.Fatalf("saved settings %+v, %v; want 605 minutes", set, err)
	}

	// A refused value: its error beside the field, tied to it, and a toast.
	p.do("clearing the minutes", chromedp.Evaluate[chromedp.Void](`document.getElementById("abandon_after_minutes").select()`))
	p.do("typing 2", chromedp.SendKeys(chromedp.ID("abandon_after_minutes"), "2"))
	p.do("saving 2", chromedp.Click(chromedp.ID("save")))
	p.until("the field error", `!document.getElementById("abandon_after_minutes-error").hidden`)
	var refused struct {
		Invalid, DescribedBy, Error, Toast string
	}
	p.eval(`(() => { const i = document.getElementById("abandon_after_minutes"); return {Invalid: i.getAttribute("aria-invalid"),
		DescribedBy: i.getAttribute("aria-describedby"), Error: document.getElementById("abandon_after_minutes-error").textContent,
		Toast: document.getElementById("toasts").textContent}; })()`, &refused)
	if refused.Invalid != "true" || !strings.Contains(refused.DescribedBy, "abandon_after_minutes-error") ||
		!strings.Contains(refused.Error, "between 5 minutes and 7 days") || !strings.Contains(refused.Toast, "not saved") {
		t.Errorf("the refused value: %+v", refused)
	}

	// Leaving after a refused save still asks; this time the merchant leaves.
	leave.Store(true)
	p.do("leaving with the refused edit", chromedp.Click(chromedp.CSS(`.demo-nav a[href^="/?"]`)))
	waitAsked("leaving with a refused edit")
	p.until("the report", `document.body && document.body.dataset.page === "home"`)
	if len(asked) != 0 {
		t.Errorf("the page asked %d more times", len(asked))
	}
}

// layoutProblems lists what at the page's width sticks out or is cut off:
// any element whose box reaches past the viewport, any container whose
// content is wider than it (scrollWidth over clientWidth), and controls
// smaller than 24 px.
const layoutProblems = `(() => {
	const out = [], W = document.documentElement.clientWidth;
	const name = e => e.localName + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "");
	if (document.documentElement.scrollWidth > W) { out.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + W); }
	if (document.body.scrollWidth > document.body.clientWidth) { out.push("body: " + document.body.scrollWidth + " > " + document.body.clientWidth); }
	document.querySelectorAll("body *").forEach(e => {
		if (e.getClientRects().length === 0 || e.closest("svg, .visually-hidden, .page-heading, [aria-hidden=true]")) { return; }
		const r = e.getBoundingClientRect();
		// Off screen for assistive technology only (a 1-pixel clipped box).
		if (r.width <= 1 && r.height <= 1 && getComputedStyle(e).clipPath !== "none") { return; }
		if (r.right > W + 0.5 || r.left < -0.5) { out.push(name(e) + " reaches " + Math.round(r.left) + "–" + Math.round(r.right) + " of " + W); }
		if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && getComputedStyle(e).overflowX !== "visible") { out.push(name(e) + " cuts its content: " + e.scrollWidth + " > " + e.clientWidth); }
		const control = e.matches("button, s-button, select, input:not([type=checkbox]), textarea, .demo-nav a, summary, [role=tab], .check label");
		if (control && (r.height < 24 || r.width < 24)) { out.push(name(e) + " is " + Math.round(r.width) + "×" + Math.round(r.height) + " px"); }
	});
	return out.slice(0, 20);
})()`

// TestPhoneLayoutInBrowser opens the report, its lists and the settings at
// 390 px wide: nothing sticks out or is cut off, the tables have become
// lists, the chart has few ticks and 12-pixel labels, and every control is
// at least 24 px.
func TestPhoneLayoutInBrowser(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectPostgres)
	p := page{t, browser(t, 2*time.Minute)}
	p.do("a phone's width", chromedp.EmulateViewport(390, 844))
	demoPage(p, h, shop, "/", "segment=source&range=90")
	p.idle("the report")
	p.until("the list", `document.querySelectorAll("#sessions s-table-body s-table-row").length > 0`)
	p.do("opening the trend's table", chromedp.Evaluate[chromedp.Void](`document.getElementById("trend-data").open = true`))
	var problems []string
	p.eval(layoutProblems, &problems)
	if len(problems) > 0 {
		t.Errorf("the report at 390 px:\n%s", strings.Join(problems, "\n"))
	}
	var phone struct {
		RowDisplay, HeaderDisplay string
		HeaderWidth               float64
		Ticks, MinFont            int
		Label                     string
	}
	p.eval(`(() => { const row = document.querySelector("#sessions s-table-body s-table-row");
		return {RowDisplay: getComputedStyle(row).display, HeaderDisplay: getComputedStyle(document.querySelector("#sessions s-table-header:not(:has(button))")).display,
			HeaderWidth: document.querySelector("#sessions s-table-header:not(:has(button))").getBoundingClientRect().width,
			Ticks: Array.from(document.querySelectorAll("#trend svg > text.axis")).filter(t => !/%$/.test(t.textContent)).length,
			MinFont: Math.min(...Array.from(document.querySelectorAll("#trend svg > text")).map(t => parseFloat(getComputedStyle(t).fontSize))),
			Label: getComputedStyle(row.querySelector("s-table-cell:nth-child(4)"), "::before").content}; })()`, &phone)
	// A plain header leaves the screen but not the accessibility tree
	// (display: none would leave its header row without column headers).
	if phone.RowDisplay != "block" || phone.HeaderDisplay == "none" || phone.HeaderWidth > 1 || phone.Label != `"Stage reached"` {
		t.Errorf("the list at 390 px: rows %s, plain headers %s and %.0f px wide, a cell's label %s; want a list whose cells name their column, the headers off screen",
			phone.RowDisplay, phone.HeaderDisplay, phone.HeaderWidth, phone.Label)
	}
	if phone.Ticks < 2 || phone.Ticks > 4 || phone.MinFont < 12 {
		t.Errorf("the chart at 390 px: %d date ticks, smallest text %d px; want 2 to 4 ticks of at least 12 px", phone.Ticks, phone.MinFont)
	}

	demoPage(p, h, shop, "/settings", "")
	p.until("the alerts list", `document.getElementById("alerts-status").textContent !== "Loading…"`)
	p.eval(layoutProblems, &problems)
	if len(problems) > 0 {
		t.Errorf("the settings at 390 px:\n%s", strings.Join(problems, "\n"))
	}
}
