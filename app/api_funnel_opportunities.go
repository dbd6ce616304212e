package app

import "github.com/funnelscope/funnelscope/app/funnel"

// funnelWithOpportunities is the funnel report with its leaks ranked by
// revenue opportunity ("what to fix first").
type funnelWithOpportunities struct {
	funnelResponse
	// AverageOrderValue prices the opportunities: the average value of the
	// carts at risk in the range, as the report has no order revenue sum yet.
	AverageOrderValue string        `json:"average_order_value"`
	Opportunities     []funnel.Leak `json:"opportunities"`
}

// withOpportunities ranks the report's leaks against the benchmarks.
func withOpportunities(r funnelResponse) funnelWithOpportunities {
	aov := averageCartAtRisk(r.Report)
	return funnelWithOpportunities{
		funnelResponse:    r,
		AverageOrderValue: funnel.FormatMoney(aov),
		Opportunities:     funnel.RankLeaks(r.Stages, aov),
	}
}

// averageCartAtRisk is the value at risk over the sessions it covers, in
// minor units; 0 when none is at risk.
func averageCartAtRisk(r funnel.Report) int64 {
	n := r.AbandonedCarts + r.CheckoutDropoffs + r.PaymentDropoffs
	risk, err := funnel.ParseMoney(r.ValueAtRisk)
	if n == 0 || err != nil {
		return 0
	}
	return (risk + n/2) / n
}
