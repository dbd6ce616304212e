package app

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// reachedTally is a cart tally with the sessions reaching each stage.
func reachedTally(reached ...int64) funnel.Tally {
	var t funnel.Tally
	for i, n := range reached {
		next := int64(0)
		if i+1 < len(reached) {
			next = reached[i+1]
		}
		t.Furthest[funnel.StageAddedToCart+funnel.Stage(i)] = n - next
	}
	return t
}

// periodPage renders the report of cur compared with prev over two whole
// periods of 24 days, hasPrevious saying whether the data covers the
// previous one.
func periodPage(t *testing.T, cur, prev funnel.Tally, hasPrevious bool) string {
	t.Helper()
	span := funnel.PeriodSpan{Days: 24, Current: 24 * 24 * time.Hour, Previous: 24 * 24 * time.Hour, HasPrevious: hasPrevious}
	r := funnelResponse{Report: funnel.BuildReport(cur), Elapsed: 24 * 24 * time.Hour,
		Previous: &previousBlock{From: "2026-10-08", To: "2026-10-31", Days: 24,
			PeriodComparison: funnel.CompareCartPeriods(cur, prev, span, funnel.StageAddedToCart)}}
	if !hasPrevious {
		r.Previous.DataSince = "2026-10-20"
	}
	v := buildReportView(reportView{From: "2026-11-01", To: "2026-11-24"}, withOpportunities(r))
	return renderHome(t, v)
}

var arrowRE = regexp.MustCompile(`[▲▼]`)

func TestRenderPeriodChanges(t *testing.T) {
	t.Parallel()
	prev := reachedTally(600, 300, 250, 200, 180, 150)
	cur := reachedTally(600, 360, 250, 200, 180, 150)
	prev.AbandonedCarts, cur.AbandonedCarts = 300, 240
	html := periodPage(t, cur, prev, true)
	noNaN(t, html)
	for _, want := range []string{
		// Checkout: up 10 points, an arrow, good news, the sentence for
		// screen readers.
		`data-change="up" data-verdict="changed" data-tone="good" title="up 10.0 points vs the previous 24 days"><span aria-hidden="true">▲ &#43;10.0 pts</span><span class="visually-hidden">up 10.0 points vs the previous 24 days</span>`,
		// Fewer abandoned carts: down, and good news.
		`<dd id="abandoned_carts">240</dd><dd class="period-dd"> <span class="period-change" data-change="down" data-verdict="changed" data-tone="good"`,
		// Orders did not move: no arrow, the words only for screen readers.
		`id="m-orders">150</span> <span class="period-change visually-hidden" data-change="none" data-verdict="no_clear_change">no clear change vs the previous 24 days</span>`,
		`id="period-note">Arrows compare with the previous 24 days (2026-10-08 – 2026-10-31) and appear only where the difference is beyond chance; no arrow means no clear change.`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Up 10 points into checkout, down 14 into contact, fewer abandoned
	// carts: three arrows and no more.
	if n := len(arrowRE.FindAllString(html, -1)); n != 3 {
		t.Errorf("page shows %d arrows, want 3", n)
	}
}

func TestRenderPeriodWithoutHistory(t *testing.T) {
	t.Parallel()
	html := periodPage(t, reachedTally(600, 360, 250, 200, 180, 150), funnel.Tally{}, false)
	if arrowRE.MatchString(html) || strings.Contains(html, "100%") && strings.Contains(html, "period-change\" data-change=\"up") {
		t.Error("a report without a previous period shows an arrow")
	}
	for _, want := range []string{
		`id="period-note">No comparison with the previous 24 days (2026-10-08 – 2026-10-31): your store&#39;s data begins on 2026-10-20.`,
		`data-verdict="no_previous_data">no data for the whole previous 24 days to compare with</span>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestRenderPeriodAbsent(t *testing.T) {
	t.Parallel()
	html := renderHome(t, viewOf(reachedTally(600, 360, 250), nil))
	if strings.Contains(html, "period-change") || strings.Contains(html, `id="period-note"`) {
		t.Error("a report without a previous block shows a comparison")
	}
}
