package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// readTimeline reads the session page's timeline rows: each row's webhook
// topic and time, in the order shown.
const readTimeline = `Array.from(document.querySelectorAll("#timeline s-table-body s-table-row[data-name]")).map(tr => tr.dataset.name + " " + tr.dataset.at)`

// TestSessionPageInBrowser opens the demo store's report in Chromium,
// clicks a row of the abandoned carts and lands on that shopper's page,
// whose timeline is the API's; goes back, searches the list by a product
// of that cart, and exports the list to CSV, which it opens and parses.
func TestSessionPageInBrowser(t *testing.T) {
	t.Parallel()
	forEachDemo(t, func(t *testing.T, h *harness, shop string) {
		p := page{t, browser(t, 2*time.Minute)}
		q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}
		p.do("opening the report", chromedp.Navigate(h.srv.URL+"/?"+q.Encode()))
		p.idle("the report")
		p.until("the abandoned carts", `document.querySelectorAll("#sessions s-table-body s-table-row").length > 0`)
		var first struct{ Key, Items string }
		p.eval(`(() => { const tr = document.querySelector("#sessions s-table-body s-table-row");
			return {Key: tr.dataset.key, Items: tr.children[2].textContent}; })()`, &first)

		// A click on the row, not on its link, opens the shopper.
		p.follow("clicking the first row", chromedp.Click(chromedp.CSS(`#sessions s-table-body s-table-row:first-child s-table-cell:nth-child(3)`)))
		p.until("the shopper's page", `document.body && document.body.dataset.page === "session" && document.readyState === "complete"`)
		if loc := p.location(); loc.Path != "/sessions/"+first.Key || loc.Query().Get("shop") != shop || loc.Query().Get("id_token") == "" {
			t.Errorf("the row led to %s, want /sessions/%s of the demo shop with a token", loc, first.Key)
		}
		var shown struct {
			Key, Title string
			Timeline   []string
		}
		p.eval(`({Key: document.getElementById("session-summary").dataset.key, Title: document.querySelector("h1").textContent,
			Timeline: `+readTimeline+`})`, &shown)
		resp, body := h.api(http.MethodGet, "/api/sessions/"+url.PathEscape(first.Key), shop, nil)
		var d struct {
			Timeline []struct {
				Name string
				At   time.Time
			}
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &d) != nil {
			t.Fatalf("GET /api/sessions/%s: %d %s", first.Key, resp.StatusCode, body)
		}
		var want []string
		for _, e := range d.Timeline {
			want = append(want, e.Name+" "+e.At.UTC().Format(time.RFC3339))
		}
		if shown.Key != first.Key || !strings.HasPrefix(shown.Title, "Abandoned cart: ") || len(want) == 0 || strings.Join(shown.Timeline, "\n") != strings.Join(want, "\n") {
			t.Errorf("the page shows %s %q with the timeline\n%s\nwant the API's\n%s", shown.Key, shown.Title,
				strings.Join(shown.Timeline, "\n"), strings.Join(want, "\n"))
		}

		p.follow("going back to the report", chromedp.Click(chromedp.ID("back-to-report")))
		p.until("the report", `document.body && document.body.dataset.page === "home" && document.body.dataset.loading === "false"`)
		p.until("the list", `document.querySelectorAll("#sessions s-table-body s-table-row").length > 0`)

		// Search by the first cart's first product.
		title := strings.SplitN(strings.SplitN(first.Items, ", ", 2)[0], " × ", 2)
		if len(title) != 2 {
			t.Fatalf("the first row's items read %q", first.Items)
		}
		term := strings.ToUpper(title[1])
		p.do("searching", chromedp.SendKeys(chromedp.ID("list-search"), term), chromedp.Click(chromedp.CSS(`#list-tools button[type=submit]`)))
		p.until("the searched list", `document.getElementById("list-status").textContent === "" && Array.from(document.querySelectorAll("#sessions s-table-body s-table-row")).every(tr => tr.children[2].textContent.toUpperCase().includes(`+strconv.Quote(term)+`))`)
		var keys []string
		p.eval(`Array.from(document.querySelectorAll("#sessions s-table-body s-table-row")).map(tr => tr.dataset.key)`, &keys)
		if len(keys) == 0 || !contains(keys, first.Key) {
			t.Errorf("searching for %q lists %v, without %s", term, keys, first.Key)
		}

		// Export the searched list; the browser saves it.
		dir := t.TempDir()
		progress := chromedp.Events(p.ctx, cdpbrowser.DownloadProgress)
		begin := chromedp.Events(p.ctx, cdpbrowser.DownloadWillBegin)
		p.do("allowing downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			// The tab's own browser context (browser), not the browser's
			// default one.
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptrTo(true),
				BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
			})
			return err
		}), chromedp.Click(chromedp.ID("export-csv")))
		var name string
		for ev, err := range begin {
			if err != nil {
				t.Fatalf("waiting for the download: %v", err)
			}
			name = ev.SuggestedFilename
			break
		}
		var file []byte
		for ev, err := range progress {
			if err != nil {
				t.Fatalf("downloading: %v", err)
			}
			if ev.State == cdpbrowser.DownloadProgressStateCanceled {
				t.Fatal("the download was cancelled")
			}
			if ev.State == cdpbrowser.DownloadProgressStateCompleted {
				if file, err = os.ReadFile(filepath.Join(dir, ev.GUID)); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		if !strings.HasPrefix(name, "funnelscope-abandoned-cart-") || !strings.HasSuffix(name, ".csv") {
			t.Errorf("the download is named %q", name)
		}
		rows := readCSV(t, file)
		key := column(t, rows[0], "Session")
		var exported []string
		for _, r := range rows[1:] {
			exported = append(exported, r[key])
		}
		resp, body = h.api(http.MethodGet, "/api/sessions?status=abandoned_cart&per_page=200&q="+url.QueryEscape(term)+
			"&from="+h.clock.Now().UTC().AddDate(0, 0, -29).Format("2006-01-02"), shop, nil)
		var list struct{ Total int }
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil || len(exported) != list.Total || !contains(exported, first.Key) {
			t.Errorf("the export holds %d sessions (%v), the API's search %d", len(exported), exported, list.Total)
		}
	})
}

// follow runs steps that make the page navigate (a click on a link) and
// waits for the page they lead to, which must answer 200.
func (p page) follow(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	resp, err := chromedp.RunResponse(p.ctx, steps...)
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != http.StatusOK {
		p.t.Fatalf("%s: the page answered %d", what, resp.Status)
	}
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ptrTo is a pointer to v.
func ptrTo[T any](v T) *T { return &v }
