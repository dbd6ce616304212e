package store

import (
	"maps"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// visitTokenRow is a visit_tokens row of a visit, less its shop and visit
// ids: comparable with ==, so that a refold tells which rows it changes
// (sameChildren, paymentTokensOfRefold). start is utc'd, so that equal
// instants compare equal.
type visitTokenRow struct {
	token, kind             string
	start                   time.Time
	device, landing, source string
	pay                     visitPaymentFacts
}

// visitProductRow is a visit_products row of a visit, less its shop and
// visit ids and the visit's start and device.
type visitProductRow struct {
	product, title string
	views, adds    int
	value          int64
}

// VisitTokenColumns and visitProductColumns are the tables' columns, in
// the order of the rows' values.
var (
	VisitTokenColumns = append([]string{"shop_id", "token", "kind", "visit_id", "started_at", "device", "landing_page_type", "source"},
		visitPaymentColumns...)
	visitProductColumns = []string{"shop_id", "visit_id", "product_id", "started_at", "device", "title", "views", "adds", "add_value"}
)

// visitTokenRows are v's token rows, a token once: visit_tokens' key is
// (shop, token, visit), and the first kind of a token wins, as ON
// CONFLICT DO NOTHING would have it.
func visitTokenRows(v funnel.Visit) []visitTokenRow {
	base := visitTokenRow{start: utc(v.Start), device: string(v.Device), landing: string(v.Landing), source: string(v.Source),
		pay: paymentFactsOf(v)}
	var out []visitTokenRow
	for _, kind := range []struct {
		name   string
		tokens []string
	}{{"cart", v.CartTokens}, {"checkout", v.CheckoutTokens}} {
		for _, t := range kind.tokens {
			if slices.ContainsFunc(out, func(r visitTokenRow) bool { return r.token == t }) {
				continue
			}
			r := base
			r.token, r.kind = t, kind.name
			out = append(out, r)
		}
	}
	return out
}

// VisitTokenValues are the values of VisitTokenColumns of the shop's visit
// v stored under id, a row per token, as the ingest writes them: for loads
// that copy visit tokens in bulk (the benchmark's).
func VisitTokenValues(shopID, id int64, v funnel.Visit) [][]any {
	var out [][]any
	for _, t := range visitTokenRows(v) {
		out = append(out, t.values(shopID, id))
	}
	return out
}

// visitProductRows are v's product rows, by product id.
func visitProductRows(v funnel.Visit) []visitProductRow {
	out := make([]visitProductRow, 0, len(v.Products))
	for _, id := range slices.Sorted(maps.Keys(v.Products)) {
		p := v.Products[id]
		out = append(out, visitProductRow{id, p.Title, p.ViewCount(), p.AddCount(), p.AddValue()})
	}
	return out
}

// values is r's values of VisitTokenColumns for the shop's visit id.
func (r visitTokenRow) values(shopID, id int64) []any {
	return append([]any{shopID, r.token, r.kind, id, r.start, r.device, r.landing, r.source}, r.pay.values()...)
}

// values is p's values of visitProductColumns for the shop's visit v
// under id.
func (p visitProductRow) values(shopID, id int64, v funnel.Visit) []any {
	return []any{shopID, id, p.product, utc(v.Start), string(v.Device), p.title, p.views, p.adds, p.value}
}

// sameChildren reports whether the visits a and b have the same token and
// product rows.
func sameChildren(a, b funnel.Visit) bool {
	return utc(a.Start).Equal(utc(b.Start)) && a.Device == b.Device &&
		slices.Equal(visitTokenRows(a), visitTokenRows(b)) && slices.Equal(visitProductRows(a), visitProductRows(b))
}
