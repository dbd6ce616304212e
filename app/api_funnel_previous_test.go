package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// apiFigure is one figure's comparison as /api/funnel's "previous" block
// carries it.
type apiFigure struct {
	Kind, Verdict, Direction, Text string
	EnoughShoppers                 bool     `json:"enough_shoppers"`
	PreviousRate                   *float64 `json:"previous_rate"`
	DifferenceLow                  *float64 `json:"difference_low"`
	DifferenceHigh                 *float64 `json:"difference_high"`
	Previous                       *int64
}

// apiComparison is one funnel's comparison with the previous period.
type apiComparison struct {
	Stages []struct {
		Key              string
		PreviousSessions *int64     `json:"previous_sessions"`
		RateFromPrevious *apiFigure `json:"rate_from_previous"`
	}
	Summary map[string]apiFigure
}

// apiPrevious is what these tests read from /api/funnel.
type apiPrevious struct {
	Stages []struct {
		Key      string
		Sessions int64
	}
	AbandonedCarts int64 `json:"abandoned_carts"`
	Previous       *struct {
		From, To   string
		Days       int
		DataSince  string `json:"data_since"`
		Storefront *struct {
			DataSince string `json:"data_since"`
			apiComparison
		}
		apiComparison
	}
	Segments []struct {
		Value    string
		Previous *apiComparison
	}
}

func (h *harness) previousReport(shop, query string) apiPrevious {
	h.t.Helper()
	resp, body := h.api(http.MethodGet, "/api/funnel?"+query, shop, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("/api/funnel?%s: %d %s", query, resp.StatusCode, body)
	}
	var r apiPrevious
	if err := json.Unmarshal(body, &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// honestFigure fails if a figure points up or down without a change
// beyond noise, or claims one without the shoppers to test it.
func honestFigure(t *testing.T, what string, f apiFigure) {
	t.Helper()
	switch {
	case (f.Direction != "none") != (f.Verdict == string(funnel.PeriodChanged)):
		t.Errorf("%s: direction %q with verdict %q", what, f.Direction, f.Verdict)
	case f.Verdict == string(funnel.PeriodChanged) && (!f.EnoughShoppers || f.Text == ""):
		t.Errorf("%s: a change without enough shoppers or words: %+v", what, f)
	case f.Verdict == string(funnel.PeriodChanged) && f.Kind == funnel.FigureRate && *f.DifferenceLow < 0 && *f.DifferenceHigh > 0:
		t.Errorf("%s: an arrow on a difference whose interval holds 0: %+v", what, f)
	}
}

// TestAPIFunnelPrevious checks the "previous" block on the shared demo
// history (90 days) of both databases: the previous 30 days' figures are
// those of their own report, the arrows honest, the segments' previous
// sessions add up to the whole's, and a previous period before the
// history begins says so instead of comparing.
func TestAPIFunnelPrevious(t *testing.T) {
	t.Parallel()
	forEachDemo(t, func(t *testing.T, h *harness, shop string) {
		day := func(back int) string { return demoNow.AddDate(0, 0, -back).Format("2006-01-02") }
		month := h.previousReport(shop, "from="+day(29)+"&to="+day(0))
		p := month.Previous
		if p == nil || p.From != day(59) || p.To != day(30) || p.Days != 30 || p.DataSince != "" {
			t.Fatalf("previous of the last 30 days = %+v, want %s to %s, in the data", p, day(59), day(30))
		}
		before := h.previousReport(shop, "from="+day(59)+"&to="+day(30))
		if len(p.Stages) != len(before.Stages) {
			t.Fatalf("previous has %d stages, the previous period's report %d", len(p.Stages), len(before.Stages))
		}
		for i, s := range p.Stages {
			if s.Key != before.Stages[i].Key || s.PreviousSessions == nil || *s.PreviousSessions != before.Stages[i].Sessions {
				t.Errorf("stage %s: previous sessions %v, the previous period's report %d", s.Key, s.PreviousSessions, before.Stages[i].Sessions)
			}
			if (s.RateFromPrevious == nil) != (i == 0) {
				t.Errorf("stage %s: rate comparison %+v", s.Key, s.RateFromPrevious)
				continue
			}
			if i > 0 {
				honestFigure(t, "stage "+s.Key, *s.RateFromPrevious)
			}
		}
		if f := p.Summary[funnel.SummaryCarts]; f.Previous == nil || *f.Previous != before.Stages[0].Sessions {
			t.Errorf("carts: previous %v, want %d", f.Previous, before.Stages[0].Sessions)
		}
		if f := p.Summary[funnel.SummaryAbandonedCarts]; f.Previous == nil || *f.Previous != before.AbandonedCarts {
			t.Errorf("abandoned carts: previous %v, want %d", f.Previous, before.AbandonedCarts)
		}
		for k, f := range p.Summary {
			honestFigure(t, k, f)
		}
		if f := p.Summary[funnel.SummaryValueAtRisk]; f.Verdict != string(funnel.PeriodNotCompared) {
			t.Errorf("value at risk = %+v, want not compared", f)
		}

		// By device: each segment is compared, and their previous
		// sessions add up to the whole's.
		bySeg := h.previousReport(shop, "from="+day(29)+"&to="+day(0)+"&segment=device")
		sums := make([]int64, len(p.Stages))
		for _, s := range bySeg.Segments {
			if s.Previous == nil || len(s.Previous.Stages) != len(p.Stages) {
				t.Fatalf("segment %s: previous %+v", s.Value, s.Previous)
			}
			for i, st := range s.Previous.Stages {
				sums[i] += *st.PreviousSessions
				if st.RateFromPrevious != nil {
					honestFigure(t, s.Value+" "+st.Key, *st.RateFromPrevious)
				}
			}
		}
		for i, n := range sums {
			if n != *p.Stages[i].PreviousSessions {
				t.Errorf("stage %s: segments' previous sessions add up to %d, the whole's %d", p.Stages[i].Key, n, *p.Stages[i].PreviousSessions)
			}
		}

		// 60 days: the previous 60 begin before the 90 days of history.
		long := h.previousReport(shop, "from="+day(59)+"&to="+day(0))
		if long.Previous == nil || long.Previous.DataSince == "" || long.Previous.DataSince <= day(119) {
			t.Fatalf("previous of the last 60 days = %+v, want the day the data begins", long.Previous)
		}
		for _, s := range long.Previous.Stages {
			if s.PreviousSessions != nil || s.RateFromPrevious != nil && (s.RateFromPrevious.Verdict != string(funnel.PeriodNoHistory) || s.RateFromPrevious.Direction != "none") {
				t.Errorf("stage %s before the history: %v sessions, %+v", s.Key, s.PreviousSessions, s.RateFromPrevious)
			}
		}
		for k, f := range long.Previous.Summary {
			if k != funnel.SummaryValueAtRisk && (f.Verdict != string(funnel.PeriodNoHistory) || f.Direction != "none" || f.Previous != nil) {
				t.Errorf("%s before the history = %+v, want no previous data", k, f)
			}
		}
	})
}

// checkStorefrontPrevious checks the storefront's comparison once the
// pixel's two visits of visitArrival's day are in: a range whose previous
// days hold no visit says so, and the day after compares with the visits'
// day, read by the same calls as its own report.
func checkStorefrontPrevious(t *testing.T, h *harness) {
	t.Helper()
	month := h.previousReport(visitShop, storefrontRange)
	sf := month.Previous.Storefront
	if sf == nil || sf.DataSince != "2026-11-24" || sf.Summary[funnel.SummaryVisits].Verdict != string(funnel.PeriodNoHistory) {
		t.Fatalf("storefront previous of November = %+v, want no previous data from 2026-11-24", sf)
	}
	next := h.previousReport(visitShop, "from=2026-11-25&to=2026-11-25").Previous.Storefront
	if next == nil || next.DataSince != "" || len(next.Stages) == 0 || next.Stages[0].PreviousSessions == nil || *next.Stages[0].PreviousSessions != 2 {
		t.Fatalf("storefront previous of 2026-11-25 = %+v, want the 2 visits of 2026-11-24", next)
	}
	if f := next.Summary[funnel.SummaryVisits]; f.Previous == nil || *f.Previous != 2 || f.Direction != "none" {
		t.Errorf("visits against 2026-11-24 = %+v, want 2 before and no arrow", f)
	}
}

// samePeriodChanges fails unless each step of the page's funnel shows
// the change /api/funnel gives it against the previous period, for query:
// an arrow exactly where the API has a direction, and its sentence.
func samePeriodChanges(t *testing.T, p page, h *harness, shop, query string) {
	t.Helper()
	api := h.previousReport(shop, query).Previous
	if api == nil {
		t.Fatalf("/api/funnel?%s has no previous block", query)
	}
	var got []struct{ Key, Change, Text string }
	p.eval(`Array.from(document.querySelectorAll("#stages li")).map(li => { const c = li.querySelector(".step .period-change");
		return {Key: li.dataset.stage, Change: c ? c.dataset.change : "", Text: c ? c.textContent.trim() : ""}; })`, &got)
	if len(got) != len(api.Stages) {
		t.Fatalf("page shows %d stages, the API compares %d", len(got), len(api.Stages))
	}
	for i, s := range api.Stages {
		want := ""
		if s.RateFromPrevious != nil {
			want = s.RateFromPrevious.Direction
		}
		if got[i].Key != s.Key || got[i].Change != want || want != "" && !strings.Contains(got[i].Text, s.RateFromPrevious.Text) {
			t.Errorf("stage %s: page shows %q %q, API %q %+v", s.Key, got[i].Change, got[i].Text, want, s.RateFromPrevious)
		}
	}
}
