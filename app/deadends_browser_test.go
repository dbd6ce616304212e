package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/store"
)

// adminOnly is the bounce page's text for a page opened outside the admin:
// a dead end in demo mode.
const adminOnly = "Open it from Apps in your admin"

// location is the tab's current URL.
func (p page) location() *url.URL {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatalf("reading the location: %v", err)
	}
	u, err := url.Parse(s)
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

// text is the page's visible text.
func (p page) text() string {
	p.t.Helper()
	var s string
	p.eval(`document.body ? document.body.innerText : ""`, &s)
	return s
}

// TestDemoRootOpensTheDemo opens the demo's root URL, with no id_token, in
// Chromium: it shows the demo store's report, not the admin's bounce page.
func TestDemoRootOpensTheDemo(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectSQLite)
	p := page{t, browser(t, time.Minute)}
	p.do("opening the root URL", chromedp.Navigate(h.srv.URL+"/"))
	p.until("the report page", `document.body && document.body.dataset.page === "home"`)
	p.idle("the report")
	if loc := p.location(); loc.Path != "/" || loc.Query().Get("shop") != shop || loc.Query().Get("id_token") == "" {
		t.Errorf("the root URL ended at %s, want the demo shop's report with a token", loc)
	}
	var stages []pageStage
	p.eval(readStages, &stages)
	sameStages(t, "the root URL", stages, h.report(shop, ""))
	if s := p.text(); strings.Contains(s, adminOnly) {
		t.Errorf("the root URL shows the admin's dead end: %.300s", s)
	}
}

// TestDemoReloadAfterTokenExpired reloads the report and the settings page
// after their one-minute session token expired: each page comes back with a
// fresh token and its query, without the merchant doing anything.
func TestDemoReloadAfterTokenExpired(t *testing.T) {
	t.Parallel()
	h, shop := sharedDemo(t, store.DialectSQLite)
	p := page{t, browser(t, 2*time.Minute)}
	today := h.clock.Now().UTC()
	from, to := today.AddDate(0, 0, -13).Format("2006-01-02"), today.AddDate(0, 0, -1).Format("2006-01-02")

	p.do("opening the demo", chromedp.Navigate(h.srv.URL+"/demo?"+url.Values{"from": {from}, "to": {to}}.Encode()))
	p.idle("the report")
	first := p.location()
	old := first.Query().Get("id_token")
	if old == "" || first.Query().Get("from") != from {
		t.Fatalf("/demo ended at %s", first)
	}

	h.clock.Add(2 * time.Minute)
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/api/funnel", nil)
	req.Header.Set("Authorization", "Bearer "+old)
	if resp, _ := h.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the page's token two minutes later: %d, want it expired (401)", resp.StatusCode)
	}

	p.do("reloading the report", chromedp.Reload())
	p.until("the report after the reload", `document.body && document.body.dataset.page === "home" && document.body.dataset.loading === "false"`)
	again := p.location()
	if again.Path != "/" || again.Query().Get("id_token") == old || again.Query().Get("from") != from || again.Query().Get("to") != to {
		t.Errorf("the reload ended at %s, want the same range with a fresh token", again)
	}
	var shown struct{ From, To string }
	p.eval(`({From: document.querySelector("#report-view .report").dataset.from, To: document.querySelector("#report-view .report").dataset.to})`, &shown)
	if shown.From != from || shown.To != to {
		t.Errorf("the reloaded report covers %s to %s, want %s to %s", shown.From, shown.To, from, to)
	}
	var stages []pageStage
	p.eval(readStages, &stages)
	sameStages(t, "after the reload", stages, h.report(shop, "from="+from+"&to="+to))
	if s := p.text(); strings.Contains(s, adminOnly) {
		t.Errorf("the reload shows the admin's dead end: %.300s", s)
	}

	// The settings page, opened with a token that has expired meanwhile.
	settings := *again
	settings.Path = "/settings"
	h.clock.Add(2 * time.Minute)
	p.do("opening settings with an expired token", chromedp.Navigate(settings.String()))
	p.until("the settings", `document.body && document.body.dataset.page === "settings" && document.getElementById("abandon_after_minutes").value !== ""`)
	if loc := p.location(); loc.Path != "/settings" || loc.Query().Get("id_token") == again.Query().Get("id_token") {
		t.Errorf("settings ended at %s, want /settings with a fresh token", loc)
	}
}

// openLink is the "Open in Funnelscope" link of an alert's plain text.
var openLink = regexp.MustCompile(`Open in Funnelscope: (\S+)`)

// TestAlertLinkOpensThatShopper follows the "Open in Funnelscope" link of a
// demo alert e-mail in Chromium: it opens that shopper's page, with the
// timeline and the alert, sent. A link of the form older alerts carry
// (/demo?session=KEY) still lists that one shopper under a banner, and
// "Show all shoppers" brings back the whole list.
func TestAlertLinkOpensThatShopper(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectSQLite)
	const shop = "browser-alert.myshopify.com"
	r := newAlertRig(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	r.install(shop)
	r.putSettings(shop, map[string]any{"alerts_enabled": true, "emails": []string{"owner@example.com"},
		"immediate_min_value": "0.00", "min_value": "1.00"})
	now := r.clock.Now()
	for i, key := range []string{"cart-a", "cart-b", "cart-c"} {
		r.deliverAll(shop, []delivery{cartWith(t, key, "Mug "+strconv.Itoa(i), now.Add(-2*time.Hour+time.Duration(i)*time.Minute), int64(1000+i*500))})
	}
	if err := r.app.ScanAlertsNow(t.Context(), shop); err != nil {
		t.Fatal(err)
	}
	r.waitAlerts(shop, 3)
	var link string
	for _, m := range r.smtp.messages() {
		pm := parseMail(t, m)
		if strings.Contains(pm.text, "Mug 1") {
			if m := openLink.FindStringSubmatch(pm.text); m != nil {
				link = m[1]
			}
		}
	}
	if link != r.srv.URL+"/sessions/cart-b" {
		t.Fatalf("cart-b's alert links to %q, want its session page", link)
	}

	p := page{t, browser(t, time.Minute)}
	p.do("following the alert's link", chromedp.Navigate(link))
	p.until("the shopper's page", `document.body && document.body.dataset.page === "session"`)
	var shown struct {
		Key, Alert string
		Timeline   []string
	}
	p.eval(`({Key: document.getElementById("session-summary").dataset.key,
		Alert: (document.querySelector("#alerts [data-field=status]") || {textContent: ""}).textContent,
		Timeline: `+readTimeline+`})`, &shown)
	if shown.Key != "cart-b" || shown.Alert != "Sent" || len(shown.Timeline) != 1 || !strings.HasPrefix(shown.Timeline[0], "carts/create ") {
		t.Errorf("the alert's link shows %+v, want cart-b, its carts/create and the alert sent", shown)
	}
	if loc := p.location(); loc.Path != "/sessions/cart-b" || loc.Query().Get("shop") != shop || loc.Query().Get("id_token") == "" {
		t.Errorf("the alert's link ended at %s", loc)
	}

	p.do("following an older alert's link", chromedp.Navigate(r.srv.URL+"/demo?session=cart-b"))
	p.until("the one shopper", `document.body && document.body.dataset.loading === "false" && document.querySelectorAll("#sessions s-table-body s-table-row").length > 0`)
	var got struct {
		Keys   []string
		Banner string
		Shown  bool
		Tabs   bool
	}
	read := `({Keys: Array.from(document.querySelectorAll("#sessions s-table-body s-table-row")).map(tr => tr.dataset.key),
		Banner: document.getElementById("one-shopper").innerText, Shown: !document.getElementById("one-shopper").hidden,
		Tabs: !document.querySelector("#lists [role=tablist]").hidden})`
	p.eval(read, &got)
	if len(got.Keys) != 1 || got.Keys[0] != "cart-b" {
		t.Errorf("the older link lists %v, want cart-b alone", got.Keys)
	}
	if !got.Shown || !strings.Contains(got.Banner, "One shopper from an alert") || got.Tabs {
		t.Errorf("banner shown %v %q, tabs shown %v", got.Shown, got.Banner, got.Tabs)
	}

	p.do("showing all shoppers", chromedp.Click(chromedp.ID("all-shoppers")))
	p.until("the whole list", `document.querySelectorAll("#sessions s-table-body s-table-row").length === 3`)
	p.eval(read, &got)
	if got.Shown || !got.Tabs {
		t.Errorf("after Show all: banner shown %v, tabs shown %v", got.Shown, got.Tabs)
	}
	if loc := p.location(); loc.Query().Has("session") {
		t.Errorf("after Show all the URL still names the session: %s", loc)
	}
}

// TestEveryPageHasAnIcon loads each kind of page in Chromium and decodes
// the icon it links.
func TestEveryPageHasAnIcon(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectSQLite)
	const shop = "browser-icon.myshopify.com"
	demo := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shop })
	demo.install(shop)
	admin := newHarness(t, openStore(t, store.DialectSQLite))
	q := url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {demo.sessionToken(shop)}}
	p := page{t, browser(t, time.Minute)}
	for name, u := range map[string]string{
		"report":   demo.srv.URL + "/?" + q.Encode(),
		"settings": demo.srv.URL + "/settings?" + q.Encode(),
		"bounce":   admin.srv.URL + "/?shop=" + shop,
		"error":    demo.srv.URL + "/no-such-page",
	} {
		p.do("opening the "+name+" page", chromedp.Navigate(u))
		p.until("the "+name+" page", `document.readyState === "complete"`)
		size, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`(async () => {
			const link = document.querySelector('link[rel~="icon"]');
			if (!link) { return -1; }
			const img = new Image();
			img.src = link.href;
			await img.decode();
			return img.naturalWidth;
		})()`, chromedp.EvalAwaitPromise))
		if err != nil || size < 16 {
			t.Errorf("%s page: icon %d px, %v", name, size, err)
		}
	}
}
