package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/funnelscope/funnelscope/store"
)

// listShown is what the sessions page shows of its list and controls.
type listShown struct {
	Range, Tab, Sort, Search, Segment, Value string
	Total                                    string
	Rows                                     int
	BadLinks                                 []string
}

// readList reads the sessions page: its controls, the list's total and
// rows, and every row whose link does not lead to its own session's page.
const readList = `(() => {
	const sorted = document.querySelector("#sessions s-table-header[aria-sort=ascending], #sessions s-table-header[aria-sort=descending]");
	const rows = Array.from(document.querySelectorAll("#sessions s-table-row"));
	return {Range: document.getElementById("range").value,
		Tab: document.querySelector("#lists [role=tab][aria-selected=true]").dataset.status,
		Sort: sorted ? sorted.firstElementChild.dataset.sort + " " + sorted.getAttribute("aria-sort") : "",
		Search: document.getElementById("list-search").value,
		Segment: document.getElementById("segment").value, Value: document.getElementById("segment-value").value,
		Total: document.getElementById("pager").hidden ? String(rows.length) : document.getElementById("page-info").textContent.split(" · ")[1].split(" ")[0],
		Rows: rows.length,
		BadLinks: rows.filter(r => { const a = r.querySelector("a.session-link");
			return !a || new URL(a.href).pathname !== "/sessions/" + encodeURIComponent(r.dataset.key); }).map(r => r.dataset.key)};
})()`

// apiTotal is how many sessions GET /api/sessions finds for query.
func apiTotal(h *harness, shop, query string) int64 {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/sessions?"+query, shop, nil)
	var r struct {
		Total    int64
		Sessions []struct {
			LineItems []struct{ Title string } `json:"line_items"`
		}
	}
	if err := json.Unmarshal(body, &r); resp.StatusCode != http.StatusOK || err != nil {
		h.t.Fatalf("GET /api/sessions?%s: %d %s", query, resp.StatusCode, body)
	}
	return r.Total
}

// TestSessionsAndChangesPagesInBrowser drives the two pages on one demo
// store. The sessions page: its tabs answer the keyboard, the sort, the
// search and the segment filter change the list as the API says and go
// into the address, a reload shows the same, and every row leads to its
// session. The changes page: a bad change is refused beside its field and
// a good one is recorded, listed and kept across a reload; the report's
// trend then marks it.
func TestSessionsAndChangesPagesInBrowser(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectPostgres)
	p := page{t, browser(t, 3*time.Minute)}
	today := h.clock.Now().UTC()
	from90 := today.AddDate(0, 0, -89).Format("2006-01-02")
	days := "from=" + from90 + "&to=" + today.Format("2006-01-02")
	listed := func(what string) listShown {
		t.Helper()
		p.idle(what)
		p.until(what+": the list", `document.getElementById("list-status").textContent !== "Loading…"`)
		var got listShown
		p.eval(readList, &got)
		if len(got.BadLinks) > 0 {
			t.Errorf("%s: rows without a link to their session: %v", what, got.BadLinks)
		}
		return got
	}
	total := func(n int64) string { return strconv.FormatInt(n, 10) }

	demoPage(p, h, shop, "/sessions", "range=90")
	got := listed("the sessions page")
	if want := apiTotal(h, shop, days+"&status=abandoned_cart"); got.Tab != "abandoned_cart" || got.Total != total(want) || got.Range != "90" || got.Rows == 0 {
		t.Fatalf("the first list: %+v, want %d abandoned carts of 90 days", got, want)
	}
	// End goes to the last tab, every session.
	p.do("focusing the first tab", chromedp.Focus(chromedp.CSS(`#lists [role=tab][data-status=abandoned_cart]`)))
	p.do("pressing End", chromedp.KeyEvent(kb.End))
	p.until("the All tab", `document.activeElement.dataset.status === "all" && document.getElementById("list-panel").getAttribute("aria-labelledby") === "tab-all"`)
	got = listed("every session")
	if want := apiTotal(h, shop, days); got.Total != total(want) {
		t.Errorf("the All tab lists %s, the API %d", got.Total, want)
	}
	p.do("sorting by value", chromedp.Click(chromedp.CSS(`#sessions button.sort[data-sort=value]`)))
	p.until("the value sort", `document.querySelector("#sessions button.sort[data-sort=value]").parentElement.getAttribute("aria-sort") === "descending"`)
	var values []float64
	p.eval(`Array.from(document.querySelectorAll("#sessions s-table-row")).map(r => Number(r.dataset.value))`, &values)
	for i := 1; i < len(values); i++ {
		if values[i] > values[i-1] {
			t.Fatalf("sorted by value, the rows are %v", values)
		}
	}
	// The segment filter offers the range's values of the segment.
	p.do("choosing the source", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("segment"); s.value = "source"; s.dispatchEvent(new Event("change")); })()`))
	p.until("the source's values", `!document.getElementById("segment-value-control").hidden && document.getElementById("segment-value").options.length > 1`)
	var value string
	p.eval(`document.getElementById("segment-value").options[1].value`, &value)
	p.do("choosing a source", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("segment-value"); s.value = s.options[1].value; s.dispatchEvent(new Event("change")); })()`))
	p.until("the filtered list", `new URLSearchParams(location.search).get("segment_value") !== null`)
	got = listed("one source")
	if want := apiTotal(h, shop, days+"&segment=source&segment_value="+url.QueryEscape(value)); got.Total != total(want) {
		t.Errorf("source %s: the page lists %s, the API %d", value, got.Total, want)
	}
	// Search for the first row's product.
	var product string
	p.eval(`(document.querySelector("#sessions s-table-row s-table-cell:nth-child(3)").textContent.split(", ")[0].split(" × ")[1] || "")`, &product)
	if product == "" {
		t.Fatal("the first row names no product")
	}
	p.do("searching", chromedp.Evaluate[chromedp.Void](`document.getElementById("list-search").value = `+jsString(product)),
		chromedp.Click(chromedp.CSS(`#list-tools button[type=submit]`)))
	p.until("the search in the address", `new URLSearchParams(location.search).get("q") === `+jsString(product))
	got = listed("the search")
	want := listShown{Range: "90", Tab: "all", Sort: "value descending", Search: product, Segment: "source", Value: value,
		Total: total(apiTotal(h, shop, days+"&segment=source&segment_value="+url.QueryEscape(value)+"&q="+url.QueryEscape(product)))}
	want.Rows, want.BadLinks = got.Rows, got.BadLinks
	if got.Rows == 0 || !equalShown(got, want) {
		t.Errorf("after the search: %+v, want %+v", got, want)
	}
	q := p.location().Query()
	if q.Get("range") != "90" || q.Get("tab") != "all" || q.Get("sort") != "value" || q.Get("segment") != "source" || q.Get("segment_value") != value || q.Get("q") != product {
		t.Errorf("the address holds %s", q.Encode())
	}
	p.do("reloading", chromedp.Reload())
	p.until("the reloaded page", `document.body && document.body.dataset.page === "sessions"`)
	p.until("the reloaded value", `document.getElementById("segment-value").value !== ""`)
	if again := listed("the reload"); !equalShown(again, want) {
		t.Errorf("after the reload: %+v, want %+v", again, want)
	}
	// A row opens its session.
	var key string
	p.eval(`document.querySelector("#sessions s-table-row").dataset.key`, &key)
	p.do("opening the first row", chromedp.Click(chromedp.CSS(`#sessions s-table-row a.session-link`)))
	p.until("the session's page", `document.body && document.body.dataset.page === "session" && document.readyState === "complete"`)
	if loc := p.location(); loc.Path != "/sessions/"+key {
		t.Errorf("the row led to %s, want /sessions/%s", loc.Path, key)
	}

	// ---- the changes page ----
	demoPage(p, h, shop, "/changes", "")
	p.idle("the changes page")
	p.until("the empty list", `document.getElementById("changes-status").textContent === "No changes recorded yet."`)
	p.do("recording nothing", chromedp.Click(chromedp.ID("record-change")))
	p.until("the refusal", `document.getElementById("change-form").dataset.saved === "error"`)
	var refusal struct {
		Shown, Invalid bool
		Text, Tied     string
		Toast          string
	}
	p.eval(`({Shown: !document.getElementById("description-error").hidden, Text: document.getElementById("description-error").textContent,
		Invalid: document.getElementById("description").getAttribute("aria-invalid") === "true",
		Tied: document.getElementById("description").getAttribute("aria-describedby"),
		Toast: (document.querySelector("#toasts .toast.error") || {textContent: ""}).textContent})`, &refusal)
	if !refusal.Shown || refusal.Text == "" || !refusal.Invalid || !strings.Contains(refusal.Tied, "description-error") || refusal.Toast == "" {
		t.Errorf("an empty description: %+v, want an error beside the field, tied to it, and a toast", refusal)
	}
	if list := h.changesOf(shop, ""); len(list) != 0 {
		t.Fatalf("a refused change was recorded: %+v", list)
	}
	at := today.AddDate(0, 0, -4)
	loc := time.UTC
	var zone string
	p.eval(`document.body.dataset.timezone`, &zone)
	if l, err := time.LoadLocation(zone); err == nil {
		loc = l
	}
	local := at.In(loc).Format("2006-01-02") + "T14:30"
	p.do("describing the change", chromedp.SendKeys(chromedp.ID("description"), "moved the reviews above the fold"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("at").value = `+jsString(local)))
	p.do("recording it", chromedp.Click(chromedp.ID("record-change")))
	p.until("the change recorded", `document.getElementById("change-form").dataset.saved === "true" && document.querySelector("#changes s-table-row") !== null`)
	var errorsShown int
	p.eval(`Array.from(document.querySelectorAll("#change-form .field-error")).filter(e => !e.hidden).length`, &errorsShown)
	if errorsShown != 0 {
		t.Errorf("%d field errors still show after a good change", errorsShown)
	}
	list := h.changesOf(shop, "")
	wantAt, _ := time.ParseInLocation("2006-01-02T15:04", local, loc)
	if len(list) != 1 || list[0].Description != "moved the reviews above the fold" || !list[0].At.Equal(wantAt) || list[0].Source != "merchant" {
		t.Fatalf("the recorded changes: %+v, want one at %v", list, wantAt)
	}
	p.do("reloading the changes", chromedp.Reload())
	p.until("the reloaded changes", `document.body && document.body.dataset.page === "changes" && document.body.dataset.loading === "false"`)
	var rows []string
	p.eval(`Array.from(document.querySelectorAll("#changes s-table-row")).map(r => r.textContent)`, &rows)
	if len(rows) != 1 || !strings.Contains(rows[0], "moved the reviews above the fold") {
		t.Errorf("after the reload the list shows %q", rows)
	}

	// ---- the report's trend marks it ----
	demoPage(p, h, shop, "/", "range=30")
	p.idle("the report")
	var marked struct {
		Label, Title, Row, Item string
	}
	p.eval(`(() => { const m = document.querySelector("#trend .change-mark[data-day='`+list[0].Day+`']");
		if (m && !m.querySelector("line.change-line")) { return {}; }
		const r = document.querySelector("#trend-table s-table-row[data-changes]");
		const li = document.querySelector("#trend .change-list li");
		return {Label: m ? m.querySelector("text").textContent : "", Title: m ? m.querySelector("title").textContent : "",
			Row: r ? r.textContent : "", Item: li ? li.textContent : ""}; })()`, &marked)
	if marked.Label != "1" || !strings.Contains(marked.Title, "moved the reviews") || !strings.Contains(marked.Row, "1. moved the reviews above the fold") ||
		!strings.Contains(marked.Item, "moved the reviews above the fold") {
		t.Errorf("the trend's mark of the change: %+v", marked)
	}
}

// equalShown compares two readings of the sessions page.
func equalShown(a, b listShown) bool {
	return a.Range == b.Range && a.Tab == b.Tab && a.Sort == b.Sort && a.Search == b.Search &&
		a.Segment == b.Segment && a.Value == b.Value && a.Total == b.Total && a.Rows == b.Rows
}
