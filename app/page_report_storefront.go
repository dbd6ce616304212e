package app

import (
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
	ReviewsNotAdded int64
	// Note, for a report of a segment visits cannot be split by, says so.
	Note string
}

type storefrontStageView struct {
	Key, Label, FromPrevious, FromStart string
	Sessions                            int64
	Band, BandLabel                     string
}

type deviceStepView struct {
	Label string
	Cells []rateCell // Label: the device; Rate: "12 · 40.0%"
}

type pageMicroView struct {
	Label  string
	Visits int64
	Micro  []microView
}

type microView struct {
	Key, Label, Rate string
	Visits           int64
}

type productView struct {
	Title, Rate, Band, BandLabel, Opportunity string
	Views, Orders                             int64
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
	v := &storefrontView{Visits: s.Visits, ReviewsNotAdded: s.ReviewsReachedNotAdded, Note: r.StorefrontUnknown}
	for i, st := range s.Stages {
		sv := storefrontStageView{Key: st.Key, Label: st.Label, Sessions: st.Sessions, FromStart: funnel.Percent(st.Sessions, s.Visits)}
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
		pv := pageMicroView{Label: p.Label, Visits: p.Visits}
		for _, m := range p.Micro {
			pv.Micro = append(pv.Micro, microView{Key: string(m.Key), Label: m.Label, Visits: m.Visits, Rate: funnel.Percent(m.Visits, p.Visits)})
		}
		v.Pages = append(v.Pages, pv)
	}
	for _, p := range s.Products {
		title := p.Title
		if title == "" {
			title = "Product " + p.ProductID
		}
		v.Products = append(v.Products, productView{Title: title, Views: p.Views, Orders: p.Orders,
			Rate: funnel.Percent(p.Adds, p.Views), Band: string(p.Band), BandLabel: p.Band.Label(), Opportunity: money(p.Value, r.Currency)})
	}
	return v
}
