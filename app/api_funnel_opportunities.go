package app

import "github.com/funnelscope/funnelscope/app/funnel"

// funnelWithOpportunities is the funnel report with its leaks ranked by
// revenue opportunity ("what to fix first").
type funnelWithOpportunities struct {
	funnelResponse
	// AverageOrderValue prices the opportunities: the range's order revenue
	// over its orders (the carts at risk's average when there is no order).
	AverageOrderValue string        `json:"average_order_value"`
	Opportunities     []funnel.Leak `json:"opportunities"`
}

// withOpportunities ranks the report's leaks against the benchmarks.
func withOpportunities(r funnelResponse) funnelWithOpportunities {
	aov := averageOrderValue(r.Report)
	return funnelWithOpportunities{
		funnelResponse:    r,
		AverageOrderValue: funnel.FormatMoney(aov),
		Opportunities:     funnel.RankLeaks(r.Stages, aov),
	}
}

// averageOrderValue is the range's order revenue over its orders, in minor
// units. With no order yet it falls back to the average value of the carts
// at risk, the best guess of what an order would be worth; 0 when neither.
func averageOrderValue(r funnel.Report) int64 {
	orders := r.Stages[len(r.Stages)-1].Sessions
	revenue, err := funnel.ParseMoney(r.OrderValue)
	if orders > 0 && err == nil {
		return (revenue + orders/2) / orders
	}
	n := r.AbandonedCarts + r.CheckoutDropoffs + r.PaymentDropoffs
	risk, err := funnel.ParseMoney(r.ValueAtRisk)
	if n == 0 || err != nil {
		return 0
	}
	return (risk + n/2) / n
}
