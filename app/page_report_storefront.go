package app

import (
	"fmt"
	"strconv"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// storefrontView is the storefront funnel as the report page shows it,
// every number formatted (funnel.Percent, money) as the rest of the page.
type storefrontView struct {
	Visits   int64
	Stages   []storefrontStageView
	Devices  []string // the device comparison's columns
	Steps    []deviceStepView
	Pages    []pageMicroView
	Products []productView
	// ReviewsNotAdded is the visits that reached a product's reviews and
	// added nothing.
	// ReviewsReached is the visits that reached a product's reviews.
	ReviewsNotAdded, ReviewsReached int64
	// Note, for a report of a segment visits cannot be split by, says so.
	Note string
	// Since is the store-local day of the first visit when it falls inside
	// the range ("" otherwise): the figures begin there.
	Since string
}

// storefrontStageView is one stage of the whole funnel's bars; Width is
// the bar's width, a CSS percentage of the visits.
type storefrontStageView struct {
	Key, Label, FromPrevious, FromStart, Width string
	Sessions                                   int64
	Band, BandLabel                            string
}

// deviceStepView is one stage of the device comparison: each device's
// visits that got this far and their share of that device's visits.
type deviceStepView struct {
	Label string
	Cells []rateCell // Label: the device; Rate: "12 · 40.0%"
}

// pageMicroView is one page type and its micro conversions.
type pageMicroView struct {
	Label  string
	Visits int64
	Micro  []microView
}

// microView is one micro conversion: its visits and their share of its
// page type's visits.
type microView struct {
	Key, Label, Rate string
	Visits           int64
}

// productView is one row of the product table: Typical is the benchmark
// add-to-cart rate the opportunity is measured against, Opportunity the
// revenue a typical rate would have added ("—" for none) and
// OpportunityAmount the same as a decimal amount for the page's money
// formatter ("" for none).
type productView struct {
	Title, Rate, Band, BandLabel, Typical, Opportunity, OpportunityAmount string
	Views, Adds, Orders                                                   int64
}

// buildStorefrontView formats r's storefront block; nil when r has none.
func buildStorefrontView(r funnelWithOpportunities) *storefrontView {
	s := r.Storefront
	if s == nil {
		return nil
	}
	verdicts := map[string]funnel.Leak{}
	for _, l := range r.Opportunities {
		if l.To == funnel.StorefrontViewedProduct.Key() || l.From == funnel.StorefrontViewedProduct.Key() {
			verdicts[l.To] = l
		}
	}
	v := &storefrontView{Visits: s.Visits, ReviewsNotAdded: s.ReviewsReachedNotAdded, Note: r.StorefrontUnknown, Since: s.FirstVisitDay}
	for i, st := range s.Stages {
		sv := storefrontStageView{Key: st.Key, Label: st.Label, Sessions: st.Sessions, FromStart: funnel.Percent(st.Sessions, s.Visits), Width: barWidth(st.Sessions, s.Visits)}
		if i > 0 {
			sv.FromPrevious = funnel.Percent(st.Sessions, s.Stages[i-1].Sessions)
			if l, ok := verdicts[st.Key]; ok {
				sv.Band, sv.BandLabel = string(l.Band), l.Band.Label()
			}
		}
		v.Stages = append(v.Stages, sv)
	}
	for i, step := range s.Devices {
		dv := deviceStepView{Label: step.Label}
		for _, c := range step.Devices {
			if i == 0 {
				v.Devices = append(v.Devices, c.Label)
			}
			rate := funnel.Percent(c.Sessions, s.Devices[0].Devices[len(dv.Cells)].Sessions)
			dv.Cells = append(dv.Cells, rateCell{Label: c.Label, Rate: strconv.FormatInt(c.Sessions, 10) + " · " + rate})
		}
		v.Steps = append(v.Steps, dv)
	}
	for _, p := range s.Pages {
		pv := pageMicroView{Label: p.Type.Label(), Visits: p.Visits}
		for _, m := range p.Micro {
			pv.Micro = append(pv.Micro, microView{Key: string(m.Key), Label: m.Key.Label(), Visits: m.Visits, Rate: funnel.Percent(m.Visits, p.Visits)})
			if m.Key == funnel.MicroReviewsReached {
				v.ReviewsReached += m.Visits
			}
		}
		v.Pages = append(v.Pages, pv)
	}
	for _, p := range s.Products {
		title := p.Title
		if title == "" {
			title = "Product " + p.ProductID
		}
		pv := productView{Title: title, Views: p.Views, Adds: p.Adds, Orders: p.Orders, Typical: share(p.Typical),
			Rate: funnel.Percent(p.Adds, p.Views), Band: string(p.Band), BandLabel: p.Band.Label(), Opportunity: "—"}
		if minor, err := funnel.ParseMoney(p.Value); err == nil && minor > 0 {
			pv.Opportunity, pv.OpportunityAmount = estimate(p.Value, r.Currency), p.Value
		}
		v.Products = append(v.Products, pv)
	}
	return v
}

// ReviewsDoubt says in words how many visits reached a product's reviews
// and still added nothing to the cart: the seed of doubt the reviews did
// not settle.
func (v storefrontView) ReviewsDoubt() string {
	if v.ReviewsReached == 0 {
		return "No visit has reached a product's reviews yet."
	}
	return fmt.Sprintf("%d of the %s that reached a product's reviews added nothing to the cart: the reviews did not settle their doubt.",
		v.ReviewsNotAdded, plural(v.ReviewsReached, "visit"))
}
