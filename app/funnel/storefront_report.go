package funnel

// StorefrontTally is what the store aggregates from the visits of one
// shop, date range and segment value: the raw counts
// BuildStorefrontReport turns into the report's storefront block. The
// store may fill it by SQL or by folding visits with Add; both must agree.
type StorefrontTally struct {
	// Furthest counts the (non-bot) visits by furthest stage.
	Furthest [storefrontStageCount]int64
	// Pages counts visits that viewed a page of each type (Visit.Viewed),
	// Micro the visits that made each micro conversion (Visit.Micro).
	Pages map[PageType]int64
	Micro map[MicroKey]int64
	// ReviewsNotAdded counts visits that reached a product's reviews and
	// added nothing to the cart.
	ReviewsNotAdded int64
	// ProductViews and ProductAdds count the distinct product_viewed and
	// product_added_to_cart events of the visits (at most
	// MaxCountedPerProduct per product and visit): the per-view
	// add-to-cart rate's counts.
	ProductViews, ProductAdds int64
	// Bots counts the visits left out as crawlers or headless browsers.
	Bots int64
}

// Add folds one visit into t: a bot visit only counts in Bots.
func (t *StorefrontTally) Add(v Visit) {
	if v.Bot {
		t.Bots++
		return
	}
	t.Furthest[v.Furthest()]++
	if t.Pages == nil {
		t.Pages, t.Micro = map[PageType]int64{}, map[MicroKey]int64{}
	}
	for _, p := range PageTypes() {
		if v.Viewed(p) {
			t.Pages[p]++
		}
	}
	for _, pm := range PageMicros() {
		for _, m := range pm.Micro {
			if v.Micro(m) {
				t.Micro[m]++
			}
		}
	}
	if v.Micro(MicroReviewsReached) && !v.Reached(StorefrontAddedToCart) {
		t.ReviewsNotAdded++
	}
	for _, p := range v.Products {
		t.ProductViews += int64(p.ViewCount())
		t.ProductAdds += int64(p.AddCount())
	}
}

// Merge adds o's counts to t: the tally of the visits of both, so the
// segments' tallies merge into the whole.
func (t *StorefrontTally) Merge(o StorefrontTally) {
	for i, n := range o.Furthest {
		t.Furthest[i] += n
	}
	if t.Pages == nil {
		t.Pages, t.Micro = map[PageType]int64{}, map[MicroKey]int64{}
	}
	for p, n := range o.Pages {
		t.Pages[p] += n
	}
	for m, n := range o.Micro {
		t.Micro[m] += n
	}
	t.ReviewsNotAdded += o.ReviewsNotAdded
	t.ProductViews += o.ProductViews
	t.ProductAdds += o.ProductAdds
	t.Bots += o.Bots
}

// Visits is the number of (non-bot) visits counted.
func (t StorefrontTally) Visits() int64 {
	var n int64
	for _, c := range t.Furthest {
		n += c
	}
	return n
}

// Reached returns how many visits counted at each stage: at every stage up
// to their furthest.
func (t StorefrontTally) Reached() [storefrontStageCount]int64 {
	var out [storefrontStageCount]int64
	var run int64
	for st := storefrontStageCount - 1; st >= 0; st-- {
		run += t.Furthest[st]
		out[st] = run
	}
	return out
}

// StorefrontStageReport is one stage of the storefront block: the visits
// that reached at least that stage and the rates, with the cart funnel's
// rules (unrounded; null where the denominator is 0; none into the first).
type StorefrontStageReport struct {
	Key              string   `json:"key"`
	Label            string   `json:"label"`
	Sessions         int64    `json:"sessions"`
	RateFromPrevious *float64 `json:"rate_from_previous"`
	RateFromStart    *float64 `json:"rate_from_start"`
}

// MicroReport is one micro conversion of a page type: the visits that
// made it.
type MicroReport struct {
	Key    MicroKey `json:"key"`
	Visits int64    `json:"visits"`
}

// PageReport is one page type of the pages block: the visits that viewed
// a page of that type and its micro conversions.
type PageReport struct {
	Type   PageType      `json:"type"`
	Visits int64         `json:"visits"`
	Micro  []MicroReport `json:"micro"`
}

// StorefrontReport is the report's "storefront" block.
type StorefrontReport struct {
	Visits int64                   `json:"visits"`
	Stages []StorefrontStageReport `json:"stages"`
	Pages  []PageReport            `json:"pages"`
	// ReviewsReachedNotAdded is the visits that reached a product's
	// reviews and added nothing: the doubt the reviews did not settle.
	ReviewsReachedNotAdded int64 `json:"reviews_reached_not_added"`
	// ProductViews and ProductAdds are the distinct product view and add
	// to cart events (see StorefrontTally).
	ProductViews int64 `json:"product_views"`
	ProductAdds  int64 `json:"product_adds"`
	// BotVisits is the visits left out as crawlers or headless browsers.
	BotVisits int64 `json:"bot_visits"`
}

// BuildStorefrontReport turns a tally into the storefront block: the nine
// stages in order, each counting the visits that reached at least it, and
// the pages block of PageMicros. Rates are rounded nowhere and null where
// their denominator is 0.
func BuildStorefrontReport(t StorefrontTally) StorefrontReport {
	reached := t.Reached()
	r := StorefrontReport{
		Visits:                 reached[StorefrontVisited],
		Stages:                 make([]StorefrontStageReport, 0, storefrontStageCount),
		ReviewsReachedNotAdded: t.ReviewsNotAdded,
		ProductViews:           t.ProductViews,
		ProductAdds:            t.ProductAdds,
		BotVisits:              t.Bots,
	}
	for _, st := range StorefrontStages() {
		sr := StorefrontStageReport{
			Key: st.Key(), Label: st.Label(), Sessions: reached[st],
			RateFromStart: rate(reached[st], reached[StorefrontVisited]),
		}
		if st > StorefrontVisited {
			sr.RateFromPrevious = rate(reached[st], reached[st-1])
		}
		r.Stages = append(r.Stages, sr)
	}
	for _, pm := range PageMicros() {
		pr := PageReport{Type: pm.Type, Visits: t.Pages[pm.Type], Micro: make([]MicroReport, 0, len(pm.Micro))}
		for _, m := range pm.Micro {
			pr.Micro = append(pr.Micro, MicroReport{Key: m, Visits: t.Micro[m]})
		}
		r.Pages = append(r.Pages, pr)
	}
	return r
}
