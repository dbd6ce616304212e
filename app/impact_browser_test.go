package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/store"
)

// TestImpactPage opens the Changes page, follows a change's row to its
// impact page and checks that it has one h1, a table per funnel and
// device whose rows give before, after, the difference with its interval
// and the verdict in words (mobile payment worse, as seeded), and that axe
// finds nothing at a desktop and a phone width.
func TestImpactPage(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.DialectSQLite)
	const shopDomain = "impact-page.myshopify.com"
	h := newHarness(t, st, func(c *app.Config) { c.Demo, c.DemoShop = true, shopDomain })
	shop := h.install(shopDomain)
	at := h.clock.Now().Add(-15 * 24 * time.Hour).Truncate(time.Hour)
	var shoppers []impactShopper
	for i := range 120 {
		offset := time.Duration(i) * (14 * 24 * time.Hour / 120)
		shoppers = append(shoppers,
			impactShopper{at: at.Add(-14*24*time.Hour + offset + time.Hour), phone: true, completed: i%10 < 8},
			impactShopper{at: at.Add(offset + time.Hour), phone: true, completed: i%10 < 3},
			impactShopper{at: at.Add(-14*24*time.Hour + offset + time.Hour), completed: i%10 < 7},
			impactShopper{at: at.Add(offset + time.Hour), completed: i%10 < 7})
	}
	seedImpactShoppers(t, st, shop, shoppers)
	resp, body := h.api(http.MethodPost, "/api/changes", shopDomain, map[string]any{"description": "New payment page", "kind": "theme_published", "at": at.Format(time.RFC3339)})
	var ch apiChange
	if err := json.Unmarshal(body, &ch); resp.StatusCode != http.StatusCreated || err != nil {
		t.Fatalf("POST change: %d %s", resp.StatusCode, body)
	}

	p := page{t, browser(t, 2*time.Minute)}
	axe := loadAxe(t)
	q := url.Values{"shop": {shopDomain}, "embedded": {"1"}, "id_token": {h.sessionToken(shopDomain)}}
	p.do("opening the changes", chromedp.Navigate(h.srv.URL+"/changes?"+q.Encode()))
	p.until("the change's row", `document.querySelector("#changes a.impact-link") !== null`)
	p.follow("following the change to its impact", chromedp.Click(chromedp.CSS(`#changes a.impact-link`)))
	p.until("the impact page", `document.body && document.body.dataset.page === "impact" && document.getElementById("impact-title") !== null`)
	if loc := p.location(); loc.Path != "/changes/"+itoa(ch.ID) || loc.Query().Get("shop") != shopDomain {
		t.Fatalf("the row led to %s", loc)
	}
	var facts struct {
		H1s     int
		Title   string
		Tables  int
		Headers []string
		Mobile  []string
	}
	p.eval(`({H1s: document.querySelectorAll("h1").length, Title: document.querySelector("h1").textContent,
		Tables: document.querySelectorAll("s-table").length,
		Headers: Array.from(document.querySelectorAll("#steps-cart-mobile s-table-header")).map(h => h.textContent),
		Mobile: Array.from(document.querySelectorAll("#steps-cart-mobile s-table-row")).map(r => r.dataset.verdict + ": " + r.textContent)})`, &facts)
	if facts.H1s != 1 || facts.Title != "Did it work? New payment page" {
		t.Errorf("%d h1, %q", facts.H1s, facts.Title)
	}
	if facts.Tables < 3 || strings.Join(facts.Headers, "|") != "Step|Before|After|Difference|Chance it improved|Verdict|Effect on revenue" {
		t.Errorf("%d tables, headers %q", facts.Tables, facts.Headers)
	}
	if len(facts.Mobile) != 5 || !strings.HasPrefix(facts.Mobile[4], "worse: Reached payment → Completed order") ||
		!strings.Contains(facts.Mobile[4], "80.0% (96 of 120)") || !strings.Contains(facts.Mobile[4], "30.0% (36 of 120)") ||
		!strings.Contains(facts.Mobile[4], "−50.0 points (95% interval") || !strings.Contains(facts.Mobile[4], "Worse") {
		t.Errorf("mobile rows %q", facts.Mobile)
	}
	for _, width := range []int64{1280, 390} {
		p.do("resizing", chromedp.EmulateViewport(width, 900))
		p.axe("the impact page at "+itoa(width)+" px", axe)
	}
}

// itoa writes an integer.
func itoa[T ~int64](n T) string {
	b, _ := json.Marshal(int64(n))
	return string(b)
}
