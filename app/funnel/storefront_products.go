package funnel

import (
	"slices"
	"strings"
)

// ProductTally is what the store aggregates per product from the visits of
// a shop and date range: the product table's raw counts. The store may
// fill it by SQL or with ProductTallies.Add; both must agree.
type ProductTally struct {
	ProductID string
	Title     string
	// Views counts the visits that viewed the product or added it (an add
	// without a recorded view, a quick add, counts as a view too, so the
	// rate never exceeds 1); Adds the visits that added it; Orders the
	// visits that added it and completed an order.
	Views, Adds, Orders int64
	// ViewEvents and AddEvents count the distinct events (at most
	// MaxCountedPerProduct per visit); AddValue sums the adds' line
	// values, in minor units.
	ViewEvents, AddEvents, AddValue int64
}

// ProductTallies accumulates ProductTally rows by product id.
type ProductTallies map[string]*ProductTally

// Add folds one visit into the tallies; bot visits are left out. A
// product's title is the greatest non-empty title its visits gave, so the
// fold order cannot change it.
func (ts ProductTallies) Add(v Visit) {
	if v.Bot {
		return
	}
	completed := v.Reached(StorefrontCompleted)
	for id, p := range v.Products {
		t := ts[id]
		if t == nil {
			t = &ProductTally{ProductID: id}
			ts[id] = t
		}
		t.Title = max(t.Title, p.Title)
		added := p.AddCount() > 0
		if p.ViewCount() > 0 || added {
			t.Views++
		}
		if added {
			t.Adds++
			if completed {
				t.Orders++
			}
		}
		t.ViewEvents += int64(p.ViewCount())
		t.AddEvents += int64(p.AddCount())
		t.AddValue, _ = AddAmount(t.AddValue, p.AddValue())
	}
}

// Rows returns the tallies as a slice in product id order.
func (ts ProductTallies) Rows() []ProductTally {
	out := make([]ProductTally, 0, len(ts))
	for _, t := range ts {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b ProductTally) int { return strings.Compare(a.ProductID, b.ProductID) })
	return out
}

// ProductRow is one line of the product table.
type ProductRow struct {
	ProductID string `json:"product_id"`
	Title     string `json:"title"`
	Views     int64  `json:"views"`
	Adds      int64  `json:"adds"`
	Orders    int64  `json:"orders"`
	// AddRate is Adds over Views, unrounded; null with no views.
	AddRate *float64 `json:"add_to_cart_rate"`
	// Band is Judge's verdict on AddRate against the per-visit product
	// view → add to cart benchmark (Typical, Good).
	Band    Verdict `json:"band"`
	Typical float64 `json:"benchmark_typical"`
	Good    float64 `json:"benchmark_good"`
	// Opportunity is, for a product below typical only, the orders a
	// typical add-to-cart rate would have added, priced: Views × (Typical
	// − AddRate) × the conversion from an add to an order × the value of
	// an add, in minor units; Value the same rounded by RoundEstimate.
	Opportunity int64  `json:"-"`
	Value       string `json:"opportunity"`
}

// ProductTable builds the product table from the tallies, worst first:
// the products below typical by opportunity (largest first), then the
// others by add-to-cart rate (lowest first; none last), then by views
// (most first) and id. The benchmark is the per-visit product view → add
// to cart one for device ("" for all). The conversion from an add to an
// order is the shop's own, addToOrder (its storefront's completed visits
// over its add-to-cart visits; pass a negative value when the shop has
// no add yet and the typical checkout rate is used); the value of an add
// is the product's own average add value, else aov.
func ProductTable(tallies []ProductTally, device Device, addToOrder float64, aov int64) []ProductRow {
	b, _ := StorefrontBenchmarkFor(StorefrontAddedToCart, PerVisit, device)
	if addToOrder < 0 {
		addToOrder = typicalCheckout()
	}
	rows := make([]ProductRow, 0, len(tallies))
	for _, t := range tallies {
		r := ProductRow{
			ProductID: t.ProductID, Title: t.Title, Views: t.Views, Adds: t.Adds, Orders: t.Orders,
			AddRate: rate(t.Adds, t.Views), Band: b.judge(t.Views, t.Adds), Typical: b.Typical, Good: b.Good,
		}
		value := aov
		if t.AddEvents > 0 && t.AddValue > 0 {
			value = divRound(t.AddValue, t.AddEvents)
		}
		if r.Band == VerdictBelow && r.AddRate != nil && value > 0 {
			lo, hi := Wilson(t.Adds, t.Views)
			worth := float64(t.Views) * addToOrder * float64(value)
			r.Opportunity = toMinor(worth * (b.Typical - *r.AddRate))
			r.Value = FormatMoney(RoundEstimate(r.Opportunity, toMinor(worth*(hi-lo)/2)))
		} else {
			r.Value = FormatMoney(0)
		}
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(x, y ProductRow) int {
		bx, by := x.Band == VerdictBelow, y.Band == VerdictBelow
		switch {
		case bx != by:
			if bx {
				return -1
			}
			return 1
		case x.Opportunity != y.Opportunity:
			return compareInt(y.Opportunity, x.Opportunity)
		case (x.AddRate == nil) != (y.AddRate == nil):
			if x.AddRate == nil {
				return 1
			}
			return -1
		case x.AddRate != nil && *x.AddRate != *y.AddRate:
			if *x.AddRate < *y.AddRate {
				return -1
			}
			return 1
		case x.Views != y.Views:
			return compareInt(y.Views, x.Views)
		}
		return strings.Compare(x.ProductID, y.ProductID)
	})
	return rows
}
