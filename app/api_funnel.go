package app

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// funnelResponse is the funnel report JSON of GET /api/funnel, with its
// segments.
type funnelResponse struct {
	Shop string `json:"shop"`
	From string `json:"from"`
	To   string `json:"to"`
	// Timezone is the IANA zone whose calendar days From and To are.
	Timezone string `json:"timezone"`
	Segment  string `json:"segment,omitempty"`
	// SegmentValue, when set, is the one value of Segment the report is
	// of: its stages, drop-offs and opportunities are that segment's.
	SegmentValue string `json:"segment_value,omitempty"`
	// Elapsed is how much of the range has passed (funnel.DayRange.Elapsed):
	// the period the monthly estimates scale from.
	Elapsed time.Duration `json:"-"`
	funnel.Report
	Segments []segmentReport `json:"segments,omitempty"`
	// AlertHoldout compares the recovery of the range's alerted and
	// held-out carts, next to the plain "recovered after an alert" (the
	// whole shop's, absent from one segment value's report).
	AlertHoldout *funnel.HoldoutJSON `json:"alert_holdout,omitempty"`
	// Payment is the payment section (addPayment): null for one segment
	// value's report and while no session of the range reached payment.
	Payment *funnel.PaymentFriction `json:"payment"`
	// Storefront is the storefront funnel of the visits (addStorefront):
	// null while the shop's pixel has never delivered an event.
	Storefront *storefrontBlock `json:"storefront"`
	// StorefrontUnknown, for a report of one value of a segment visits
	// cannot be split by, says so: Storefront then counts every visit.
	StorefrontUnknown string `json:"storefront_unknown,omitempty"`
	// Previous compares the report's figures with the previous period of
	// the same length (addPrevious).
	Previous *previousBlock `json:"previous"`
	// Anomalies are the step anomalies raised on the range's days
	// (addAnomalies), the latest day first.
	Anomalies []anomalyJSON `json:"anomalies"`
	// leakStorefront is the storefront funnel "what to fix first" ranks
	// with the cart funnel's steps (nil: none), against leakDevice's
	// benchmarks ("" for all devices).
	leakStorefront *funnel.StorefrontReport
	leakDevice     funnel.Device
}

// segmentReport is the report of the sessions of one segment value.
type segmentReport struct {
	Value string `json:"value"`
	funnel.Report
	// Storefront is the storefront funnel of the segment's visits, for a
	// segment visits can be split by (device, landing page type); null
	// otherwise, and StorefrontUnknown then says why.
	Storefront        *funnel.StorefrontReport `json:"storefront"`
	StorefrontUnknown string                   `json:"storefront_unknown,omitempty"`
	// Previous compares the segment's cart funnel with the previous
	// period of the same length.
	Previous *funnel.PeriodComparison `json:"previous,omitempty"`
}

// reportRequest is what a report is asked for: the authenticated shop, the
// shop's days of the range, and optionally a segment, or one value of it.
type reportRequest struct {
	Shop         store.Shop
	Days         funnel.DayRange
	Segment      string
	SegmentValue string
}

// parseReportRequest reads the request's from, to, segment and
// segment_value for the authenticated shop. Bad input is an error saying
// what to fix; the request then holds what was read before it: nothing
// when the dates are bad, the days and segment when the segment is.
func (a *App) parseReportRequest(c echo.Context) (reportRequest, error) {
	days, err := a.dateRange(c)
	if err != nil {
		return reportRequest{}, err
	}
	q := reportRequest{Shop: shopOf(c), Days: days, Segment: c.QueryParam("segment"), SegmentValue: c.QueryParam("segment_value")}
	switch {
	case q.Segment != "" && !funnel.ValidSegment(q.Segment):
		return q, fieldError("segment", "segment must be one of %s.", strings.Join(funnel.Segments(), ", "))
	case q.SegmentValue != "" && q.Segment == "":
		return q, fieldError("segment_value", "segment_value needs a segment to be a value of.")
	}
	return q, nil
}

// apiFunnel serves the funnel report of the authenticated shop.
func (a *App) apiFunnel(c echo.Context) error {
	q, err := a.parseReportRequest(c)
	if err != nil {
		return err
	}
	resp, _, err := a.funnelReport(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, withOpportunities(resp))
}

// funnelReport builds the funnel report q asks for (as parseReportRequest
// reads it), and says which idle threshold it used; the JSON API and the
// report page share it.
func (a *App) funnelReport(ctx context.Context, q reportRequest) (funnelResponse, time.Duration, error) {
	shop, days := q.Shop, q.Days
	resp := funnelResponse{Shop: shop.Domain, From: days.Start().Format(dateLayout), To: days.Last().Format(dateLayout),
		Timezone: days.Location().String(), Segment: q.Segment, SegmentValue: q.SegmentValue}
	idle, err := a.shopIdle(ctx, shop.ID)
	if err != nil {
		return resp, 0, err
	}
	now := a.now()
	resp.Elapsed = days.Elapsed(now)
	visits, err := a.storefrontTallies(ctx, q)
	if err != nil {
		return resp, 0, err
	}
	var cur currentTallies
	if resp.SegmentValue == "" {
		all, err := a.store.FunnelTally(ctx, shop.ID, days.Start(), days.End(), now, idle, "")
		if err != nil {
			return resp, 0, err
		}
		cur.cart = tallyOrEmpty(all[store.AllSegment])
		resp.Report = funnel.BuildReport(cur.cart)
		out, err := a.store.AlertOutcomes(ctx, shop.ID, days.Start(), days.End())
		if err != nil {
			return resp, 0, err
		}
		h := funnel.BuildHoldout(recoveryArm(out.Alerted), recoveryArm(out.HeldOut), recoveryArm(out.SentRecovered))
		resp.AlertHoldout = &h
	}
	if resp.Segment != "" {
		bySegment, err := a.store.FunnelTally(ctx, shop.ID, days.Start(), days.End(), now, idle, resp.Segment)
		if err != nil {
			return resp, 0, err
		}
		withVisitValues(bySegment, q, visits)
		cur.bySegment = bySegment
		resp.Segments = segmentReports(bySegment, resp.Segment)
		if resp.SegmentValue != "" {
			cur.cart = tallyOrEmpty(bySegment[resp.SegmentValue])
			resp.Report = funnel.SegmentReport(cur.cart, resp.Segment)
		}
	}
	if err := a.addPayment(ctx, q, &resp); err != nil {
		return resp, 0, err
	}
	addStorefront(q, &resp, visits)
	if resp.Storefront != nil {
		first, err := a.store.FirstVisitAt(ctx, shop.ID)
		if err != nil {
			return resp, 0, err
		}
		resp.Storefront.FirstVisitDay = firstVisitDay(first, days)
		sf := storefrontBlockTally(q, visits)
		cur.storefront = &sf
	}
	if err := a.addPrevious(ctx, q, &resp, cur, idle, now); err != nil {
		return resp, 0, err
	}
	if err := a.addAnomalies(ctx, q, &resp); err != nil {
		return resp, 0, err
	}
	return resp, idle, nil
}

// recoveryArm is a group of the store's alert outcomes as funnel counts it.
func recoveryArm(a store.AlertArm) funnel.RecoveryArm {
	return funnel.RecoveryArm{Carts: a.Carts, Recovered: a.Recovered, RecoveredValue: a.RecoveredValue}
}

func tallyOrEmpty(t *funnel.Tally) funnel.Tally {
	if t == nil {
		return funnel.Tally{}
	}
	return *t
}

// segmentReports builds each value's report of segment, ordered by sessions
// that entered the funnel, largest first.
func segmentReports(tallies map[string]*funnel.Tally, segment string) []segmentReport {
	out := make([]segmentReport, 0, len(tallies))
	for value, t := range tallies {
		out = append(out, segmentReport{Value: value, Report: funnel.SegmentReport(tallyOrEmpty(t), segment)})
	}
	sort.Slice(out, func(i, j int) bool {
		si, sj := out[i].Stages[0].Sessions, out[j].Stages[0].Sessions
		if si != sj {
			return si > sj
		}
		return out[i].Value < out[j].Value
	})
	return out
}
