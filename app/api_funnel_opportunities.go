package app

import (
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// funnelWithOpportunities is the funnel report with its steps judged and
// its leaks ranked by revenue opportunity ("what to fix first").
type funnelWithOpportunities struct {
	funnelResponse
	// ElapsedDays is the part of the range that has passed, in days: the
	// monthly opportunities are the range's scaled by 30 over it.
	ElapsedDays   float64       `json:"elapsed_days"`
	Opportunities []funnel.Leak `json:"opportunities"`
}

// withOpportunities judges and ranks the report's steps against the
// benchmarks, priced at the report's average order value: the whole
// funnel's (funnel.RankWholeFunnel), the storefront's steps before the cart
// included when the report has a storefront funnel of the same shoppers.
func withOpportunities(r funnelResponse) funnelWithOpportunities {
	return funnelWithOpportunities{
		funnelResponse: r,
		ElapsedDays:    float64(r.Elapsed) / float64(24*time.Hour),
		Opportunities:  funnel.RankWholeFunnel(r.Report, r.leakStorefront, r.leakDevice, r.Elapsed),
	}
}
