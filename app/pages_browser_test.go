package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// browserPage is one page the browser tests open: where, and the
// JavaScript condition that holds once it has loaded what it shows.
type browserPage struct {
	name, path, ready string
	// then runs once the page is ready, to bring up more of it (a
	// segment table, a closed section) before it is checked.
	then func(p page)
	// blocked is a script of the page that must not run in the test:
	// exit_iframe.js would leave for Shopify at once.
	blocked string
	// refused is an API path whose 400 the then step provokes on purpose
	// (a form's bad input), which is not a failure of the page.
	refused string
}

// failedRequests records the requests of a tab to the app that failed or
// answered 4xx or 5xx; requests to other hosts (Shopify's CDN, which the
// tests cannot reach) are not the app's.
type failedRequests struct {
	origin string
	mu     sync.Mutex
	urls   map[network.RequestID]string
	failed []string
}

func watchRequests(t *testing.T, p page, origin string) *failedRequests {
	t.Helper()
	f := &failedRequests{origin: origin, urls: map[network.RequestID]string{}}
	if err := chromedp.Listen(p.ctx, func(ev any) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			f.urls[ev.RequestID] = ev.Request.URL
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 && strings.HasPrefix(ev.Response.URL, f.origin) {
				f.failed = append(f.failed, fmt.Sprintf("%s %s answered %d", ev.Type, ev.Response.URL, ev.Response.Status))
			}
		case *network.EventLoadingFailed:
			if u := f.urls[ev.RequestID]; strings.HasPrefix(u, f.origin) && ev.BlockedReason == "" {
				f.failed = append(f.failed, fmt.Sprintf("%s %s failed: %s", ev.Type, u, ev.ErrorText))
			}
		}
	}); err != nil {
		t.Fatalf("watching the tab's requests: %v", err)
	}
	return f
}

// take returns the failures recorded since the last call.
func (f *failedRequests) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	got := f.failed
	f.failed = nil
	return got
}

// checkPages opens each page at each width, waits until it has loaded,
// runs axe on it (page.axe) and fails on any request to the app that
// failed, except the document of a page that is itself an error (want404).
func checkPages(t *testing.T, p page, origin string, pages []browserPage) {
	t.Helper()
	axe := loadAxe(t)
	requests := watchRequests(t, p, origin)
	for _, width := range []int64{1280, 390} {
		for _, pg := range pages {
			what := fmt.Sprintf("the %s page at %d px", pg.name, width)
			var block []*network.BlockPattern
			if pg.blocked != "" {
				block = append(block, &network.BlockPattern{URLPattern: origin + "/static/" + pg.blocked + ".*.js", Block: true})
			}
			setBlocked := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: block})
				return err
			})
			p.do("opening "+what, setBlocked, chromedp.EmulateViewport(width, 900), chromedp.Navigate(origin+pg.path))
			p.until(what, pg.ready)
			var inner int64
			if p.eval("window.innerWidth", &inner); inner != width {
				t.Fatalf("%s: the window is %d px wide", what, inner)
			}
			if pg.then != nil {
				pg.then(p)
			}
			p.axe(what, axe)
			for _, f := range requests.take() {
				if pg.name == "error" && strings.HasPrefix(f, string(network.ResourceTypeDocument)+" ") && strings.HasSuffix(f, "answered 404") {
					continue
				}
				if pg.refused != "" && f == string(network.ResourceTypeFetch)+" "+origin+pg.refused+" answered 400" {
					continue
				}
				t.Errorf("%s: %s", what, f)
			}
		}
	}
}

// TestPagesAccessibleInBrowser opens every page of the app in demo mode —
// the report (also split by a segment, its footnotes open; its trend
// marking a store change), the sessions page, the changes page (with a
// field error shown), settings, the
// error page, the page that leaves the admin's iframe and, outside demo
// mode, the bounce page — at desktop (1280 px) and phone (390 px) width:
// axe-core finds no WCAG 2.2 A or AA violation, and every script,
// stylesheet and request of each page to the app answers.
func TestPagesAccessibleInBrowser(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectPostgres)
	p := page{t, browser(t, 4*time.Minute)}
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {h.sessionToken(shop)}}.Encode()
	loaded := `document.readyState === "complete"`
	resp, body := h.api(http.MethodGet, "/api/sessions?status=abandoned_cart&per_page=1&from=2026-01-01&to=2026-12-31", shop, nil)
	var one struct{ Sessions []struct{ Key string } }
	if err := json.Unmarshal(body, &one); resp.StatusCode != http.StatusOK || err != nil || len(one.Sessions) != 1 {
		t.Fatalf("an abandoned cart of the demo: %d %s", resp.StatusCode, body)
	}
	// A store change, which the report's trend marks and the changes page lists.
	if resp, body := h.api(http.MethodPost, "/api/changes", shop, map[string]any{"description": "moved the reviews above the fold",
		"at": h.clock.Now().Add(-72 * time.Hour).Format(time.RFC3339)}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("recording a change: %d %s", resp.StatusCode, body)
	}
	checkPages(t, p, h.srv.URL, []browserPage{
		{name: "report", path: "/?" + q, ready: `document.body.getAttribute("data-loading") === "false" && document.querySelector("#trend .change-mark") !== null`},
		{name: "report by source", path: "/?" + q, ready: `document.body.getAttribute("data-loading") === "false"`, then: func(p page) {
			p.do("choosing the source split", chromedp.Evaluate[chromedp.Void](`(() => {
				const s = document.getElementById("segment"); s.value = "source"; s.dispatchEvent(new Event("change"));
				document.querySelectorAll("details").forEach(d => d.open = true); })()`))
			p.until("the segment table", `document.querySelector("#segments s-table-row[data-segment-value]") !== null`)
			p.idle("the segment load")
		}},
		{name: "settings", path: "/settings?" + q,
			ready: `document.getElementById("abandon_after_minutes").value !== "" && document.getElementById("alerts-status").textContent !== "Loading…"`},
		{name: "sessions", path: "/sessions?tab=all&" + q, ready: `document.body.getAttribute("data-loading") === "false" && document.querySelector("#sessions s-table-row") !== null`},
		{name: "changes", path: "/changes?" + q, refused: "/api/changes", ready: `document.body.getAttribute("data-loading") === "false" && document.querySelector("#changes s-table-row") !== null`, then: func(p page) {
			p.do("recording nothing", chromedp.Click(chromedp.ID("record-change")))
			p.until("the field error", `!document.getElementById("description-error").hidden`)
		}},
		{name: "session", path: "/sessions/" + url.PathEscape(one.Sessions[0].Key) + "?" + q, ready: `document.getElementById("session-summary") !== null && document.readyState === "complete"`},
		{name: "error", path: "/no-such-page", ready: loaded},
		{name: "exit-iframe", path: "/auth?shop=" + shop + "&embedded=1", ready: loaded, blocked: "exit_iframe"},
	})

	// The bounce page shows only outside demo mode, where a page without a
	// session token waits for App Bridge's.
	b := newHarness(t, storetest.Open(t, store.DialectSQLite))
	checkPages(t, p, b.srv.URL, []browserPage{
		{name: "bounce", path: "/?shop=bounce.myshopify.com", ready: `document.getElementById("bounce-message").textContent.includes("Open it from Apps")`},
	})
}
