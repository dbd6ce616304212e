package funnel

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// VisitGap is the longest pause inside a visit: a client's events more
// than VisitGap apart belong to two visits.
const VisitGap = 30 * time.Minute

// MaxCountedPerProduct is how many distinct view events and add events of
// one product one visit counts; more count as this many. It bounds a
// visit's size (the events are kept by id, see ProductActivity).
const MaxCountedPerProduct = 100

// EventKey places an event in the total order visits use: by time, then by
// id. The zero EventKey is "none".
type EventKey struct {
	At time.Time `json:"at"`
	ID string    `json:"id"`
}

// IsZero reports whether k is the zero EventKey.
func (k EventKey) IsZero() bool { return k.ID == "" && k.At.IsZero() }

// Before reports whether k comes before o: earlier, or at the same instant
// with a smaller id.
func (k EventKey) Before(o EventKey) bool {
	if !k.At.Equal(o.At) {
		return k.At.Before(o.At)
	}
	return k.ID < o.ID
}

// firstKey returns the earlier of two keys, a zero key counting as none.
func firstKey(a, b EventKey) EventKey {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// lastKey returns the later of two keys, a zero key counting as none.
func lastKey(a, b EventKey) EventKey {
	if a.IsZero() || (!b.IsZero() && a.Before(b)) {
		return b
	}
	return a
}

// Visit is one client's run of storefront events with no pause over
// VisitGap: a summary built so that it can be merged. Every field is a
// join of its events' contributions — an earliest, a latest, a union or
// an "any" — so MergeVisits is commutative, associative and idempotent,
// and the visits of a set of events do not depend on their order, on how
// they were split into batches, or on repeats (see Fold).
//
// A repeated event (same ID) changes nothing: every contribution of an
// event is an earliest/latest time, a flag, or an entry in a set keyed by
// the event's id (ProductActivity), never a plain count.
type Visit struct {
	ClientID string `json:"client_id"`
	// Start and End are the times of the first and last event; FirstID
	// is the first event's id.
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	FirstID string    `json:"first_id"`

	// Bot is set when any event's user agent is a crawler or headless
	// browser (IsBot): such visits are counted apart, not reported.
	Bot bool `json:"bot,omitempty"`
	// Device is DeviceOf the earliest event that has a user agent or a
	// width (DeviceFrom); "" when none has.
	Device     Device   `json:"device,omitempty"`
	DeviceFrom EventKey `json:"device_from"`
	// Landing is the page type, LandingPath the path and Source the
	// source (SourceOf its UTM tags and referrer) of the earliest event
	// that has a page (LandingFrom): the landing page.
	Landing     PageType      `json:"landing,omitempty"`
	LandingPath string        `json:"landing_path,omitempty"`
	Source      TrafficSource `json:"source,omitempty"`
	LandingFrom EventKey      `json:"landing_from"`

	// Stages holds, per storefront stage, the earliest time the visit
	// reached it (zero: not reached). Visited needs a page view; every
	// visit counts as visited in reports all the same.
	Stages [storefrontStageCount]time.Time `json:"stages"`
	// CompletedByOrder says an orders/create webhook named one of the
	// visit's checkout tokens (CompleteByOrder).
	CompletedByOrder bool `json:"completed_by_order,omitempty"`

	// Pages lists the page types the visit's events happened on, in
	// PageTypes order.
	Pages []PageType `json:"pages,omitempty"`
	// The keys of the micro conversions that depend on order: the first
	// page view of a home page, the last page view of any page, the first
	// view of a collection and the last view of a product (a
	// product_viewed event or a product page's page view).
	FirstHomeView       EventKey `json:"first_home_view"`
	LastPageView        EventKey `json:"last_page_view"`
	FirstCollectionView EventKey `json:"first_collection_view"`
	LastProductView     EventKey `json:"last_product_view"`
	// The embed's micro conversions: a scroll depth of at least 50 on a
	// home page, a filter or sort used (or a collection page view whose
	// query has filter.* or sort_by), and on a product page a gallery
	// interaction, the reviews reached and a variant selected.
	ScrolledHalf    bool `json:"scrolled_half,omitempty"`
	Filtered        bool `json:"filtered,omitempty"`
	Gallery         bool `json:"gallery,omitempty"`
	ReviewsReached  bool `json:"reviews_reached,omitempty"`
	VariantSelected bool `json:"variant_selected,omitempty"`

	// Products holds, per product id, its views and adds in this visit.
	Products map[string]ProductActivity `json:"products,omitempty"`
	// CheckoutTokens and CartTokens are the tokens the visit's events
	// carried, sorted: what joins it to funnel sessions.
	CheckoutTokens []string `json:"checkout_tokens,omitempty"`
	CartTokens     []string `json:"cart_tokens,omitempty"`
	// Currency is the smallest non-empty currency code of the visit's
	// amounts (a shop normally has one).
	Currency string `json:"currency,omitempty"`

	// Gateway and PaymentMethod are of the earliest event that named a
	// transaction's (PaymentFrom), checkout_completed's in practice;
	// PaymentErrors are the keys of the alert_displayed events of a
	// payment error (IsPaymentError), the earliest MaxPaymentErrors, in
	// event order.
	Gateway       string     `json:"gateway,omitempty"`
	PaymentMethod string     `json:"payment_method,omitempty"`
	PaymentFrom   EventKey   `json:"payment_from"`
	PaymentErrors []EventKey `json:"payment_errors,omitempty"`
}

// ProductActivity is what one visit did with one product: the ids of its
// product_viewed events and its adds to cart, each at most
// MaxCountedPerProduct (the smallest ids are kept, so that merging stays
// a union), and its title as the latest event that named it gave it.
type ProductActivity struct {
	Title     string     `json:"title,omitempty"`
	TitleFrom EventKey   `json:"title_from"`
	Views     []string   `json:"views,omitempty"`
	Adds      []AddEvent `json:"adds,omitempty"`
}

// AddEvent is one product_added_to_cart: its id, the line's quantity and
// value (minor units).
type AddEvent struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
	Value    int64  `json:"value"`
}

// ViewCount is the number of distinct view events counted.
func (p ProductActivity) ViewCount() int { return len(p.Views) }

// AddCount is the number of distinct add events counted.
func (p ProductActivity) AddCount() int { return len(p.Adds) }

// AddValue is the value of the counted adds, in minor units.
func (p ProductActivity) AddValue() int64 {
	var sum int64
	for _, a := range p.Adds {
		sum, _ = AddAmount(sum, a.Value)
	}
	return sum
}

// VisitOf returns the visit of one event alone. The event's time is taken
// in UTC (so that equal instants compare equal field by field).
func VisitOf(e StorefrontEvent) Visit {
	var agents Agents
	return visitOf(e, &agents)
}

// visitOf is VisitOf with the user agent classified by agents.
func visitOf(e StorefrontEvent, agents *Agents) Visit {
	at := e.At.UTC()
	k := EventKey{At: at, ID: e.ID}
	v := Visit{ClientID: e.ClientID, Start: at, End: at, FirstID: e.ID, Bot: agents.Bot(e.UserAgent)}
	if strings.TrimSpace(e.UserAgent) != "" || e.InnerWidth > 0 {
		v.Device, v.DeviceFrom = agents.Device(e.UserAgent, e.InnerWidth), k
	}
	pt := e.PageType()
	if pt != "" {
		q := parseQuery(e.Query)
		v.Landing, v.LandingPath, v.LandingFrom = pt, e.Path, k
		v.Source = SourceOf(q.Get("utm_source"), q.Get("utm_medium"), e.ReferrerHost, e.Host)
		v.Pages = []PageType{pt}
	}
	if st, ok := StorefrontStageOf(e.Name); ok {
		v.Stages[st] = at
	}
	switch e.Name {
	case EventPageViewed:
		v.LastPageView = k
		switch pt {
		case PageHome:
			v.FirstHomeView = k
		case PageCollection:
			v.FirstCollectionView = k
			v.Filtered = hasFilter(e.Query)
		case PageProduct:
			v.LastProductView = k
			v.Stages[StorefrontViewedProduct] = at
		}
	case EventCollectionViewed:
		v.FirstCollectionView = k
	case EventProductViewed:
		v.LastProductView = k
		if e.ProductID != "" {
			v.Products = map[string]ProductActivity{e.ProductID: {Title: e.ProductTitle, TitleFrom: titleKey(e, k), Views: []string{e.ID}}}
		}
	case EventProductAddedToCart:
		if e.ProductID != "" {
			v.Products = map[string]ProductActivity{e.ProductID: {Title: e.ProductTitle, TitleFrom: titleKey(e, k),
				Adds: []AddEvent{{ID: e.ID, Quantity: max(e.Quantity, 0), Value: max(e.Value, 0)}}}}
		}
	case EventScrollDepth:
		v.ScrolledHalf = pt == PageHome && e.ScrollPercent >= 50
	case EventFilterUsed:
		v.Filtered = true
	case EventGalleryInteraction:
		v.Gallery = pt == PageProduct
	case EventReviewsReached:
		v.ReviewsReached = pt == PageProduct
	case EventVariantSelected:
		v.VariantSelected = pt == PageProduct
	}
	if e.CheckoutToken != "" {
		v.CheckoutTokens = []string{e.CheckoutToken}
	}
	if e.CartToken != "" {
		v.CartTokens = []string{e.CartToken}
	}
	if e.Value > 0 {
		v.Currency = e.Currency
	}
	visitPaymentOf(&v, e, k)
	return v
}

// titleKey is the key a product title is chosen by, none without a title.
func titleKey(e StorefrontEvent, k EventKey) EventKey {
	if e.ProductTitle == "" {
		return EventKey{}
	}
	return k
}

func parseQuery(q string) url.Values {
	v, err := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if err != nil {
		// ParseQuery keeps what it could parse; a bad pair is left out.
		return v
	}
	return v
}

// hasFilter reports whether a collection's query string filters or sorts
// it (Shopify's filter.p.*, filter.v.* and sort_by parameters).
func hasFilter(query string) bool {
	for k := range parseQuery(query) {
		if strings.HasPrefix(k, "filter.") || k == "sort_by" {
			return true
		}
	}
	return false
}

// MergeVisits joins two visits of one client into one, as if their events
// had been one run: earliest start, latest end, the first event's device
// and landing page, each stage's earliest time, the union of pages,
// products and tokens, and "any" for the flags. It is commutative,
// associative and idempotent, and the zero Visit is its identity; it does
// not check that a and b are adjacent (Fold does).
func MergeVisits(a, b Visit) Visit {
	out := Visit{
		ClientID:         minNonEmpty(a.ClientID, b.ClientID),
		Bot:              a.Bot || b.Bot,
		CompletedByOrder: a.CompletedByOrder || b.CompletedByOrder,
		ScrolledHalf:     a.ScrolledHalf || b.ScrolledHalf,
		Filtered:         a.Filtered || b.Filtered,
		Gallery:          a.Gallery || b.Gallery,
		ReviewsReached:   a.ReviewsReached || b.ReviewsReached,
		VariantSelected:  a.VariantSelected || b.VariantSelected,
		Currency:         minNonEmpty(a.Currency, b.Currency),
	}
	first := firstKey(EventKey{a.Start, a.FirstID}, EventKey{b.Start, b.FirstID})
	out.Start, out.FirstID = first.At, first.ID
	out.End = a.End
	if b.End.After(a.End) || out.End.IsZero() {
		out.End = b.End
	}
	if out.End.IsZero() {
		out.End = out.Start
	}

	out.DeviceFrom, out.Device = pickEarliest(a.DeviceFrom, a.Device, b.DeviceFrom, b.Device)
	out.LandingFrom = firstKey(a.LandingFrom, b.LandingFrom)
	if !out.LandingFrom.IsZero() {
		src := a
		if !sameKey(out.LandingFrom, a.LandingFrom) || (sameKey(a.LandingFrom, b.LandingFrom) && landingLess(b, a)) {
			src = b
		}
		out.Landing, out.LandingPath, out.Source = src.Landing, src.LandingPath, src.Source
	}

	for i := range out.Stages {
		out.Stages[i] = earliest(a.Stages[i], b.Stages[i])
	}
	out.Pages = unionPages(a.Pages, b.Pages)
	out.FirstHomeView = firstKey(a.FirstHomeView, b.FirstHomeView)
	out.LastPageView = lastKey(a.LastPageView, b.LastPageView)
	out.FirstCollectionView = firstKey(a.FirstCollectionView, b.FirstCollectionView)
	out.LastProductView = lastKey(a.LastProductView, b.LastProductView)
	out.Products = mergeProducts(a.Products, b.Products)
	out.CheckoutTokens = unionStrings(a.CheckoutTokens, b.CheckoutTokens, 0)
	out.CartTokens = unionStrings(a.CartTokens, b.CartTokens, 0)
	mergeVisitPayment(&out, a, b)
	out.inUTC()
	return out
}

// sameKey reports whether a and b are the same key (times compared as
// instants).
func sameKey(a, b EventKey) bool { return a.ID == b.ID && a.At.Equal(b.At) }

// inUTC puts every time of v in UTC, without a monotonic reading, so that
// visits equal as instants are equal field by field (a visit read back
// from a database comes in another location).
func (v *Visit) inUTC() {
	utc := func(t *time.Time) {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	utc(&v.Start)
	utc(&v.End)
	for _, k := range []*EventKey{&v.PaymentFrom, &v.DeviceFrom, &v.LandingFrom, &v.FirstHomeView, &v.LastPageView, &v.FirstCollectionView, &v.LastProductView} {
		utc(&k.At)
	}
	for i := range v.Stages {
		utc(&v.Stages[i])
	}
	for id, p := range v.Products {
		utc(&p.TitleFrom.At)
		v.Products[id] = p
	}
}

// landingLess breaks a tie between two visits' landing facts taken from
// one event key (only when the same event was reduced differently): the
// smaller triple wins, so the choice does not depend on argument order.
func landingLess(a, b Visit) bool {
	if a.Landing != b.Landing {
		return a.Landing < b.Landing
	}
	if a.LandingPath != b.LandingPath {
		return a.LandingPath < b.LandingPath
	}
	return a.Source < b.Source
}

// pickEarliest returns the earlier key and its device; on a tie of keys,
// the smaller device.
func pickEarliest(ka EventKey, da Device, kb EventKey, db Device) (EventKey, Device) {
	k := firstKey(ka, kb)
	switch {
	case k.IsZero():
		return k, ""
	case sameKey(k, ka) && sameKey(k, kb):
		return k, min(da, db)
	case sameKey(k, ka):
		return k, da
	}
	return k, db
}

func unionPages(a, b []PageType) []PageType {
	var out []PageType
	for _, p := range PageTypes() {
		if slices.Contains(a, p) || slices.Contains(b, p) {
			out = append(out, p)
		}
	}
	return out
}

// unionStrings returns the sorted union of a and b, at most limit long
// (the smallest kept) when limit > 0, nil when empty.
func unionStrings(a, b []string, limit int) []string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make([]string, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.Sort(out)
	out = slices.Compact(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return slices.Clip(out)
}

func mergeProducts(a, b map[string]ProductActivity) map[string]ProductActivity {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := make(map[string]ProductActivity, len(a)+len(b))
	for id, p := range a {
		out[id] = mergeProduct(p, ProductActivity{})
	}
	for id, p := range b {
		out[id] = mergeProduct(out[id], p)
	}
	return out
}

func mergeProduct(a, b ProductActivity) ProductActivity {
	out := ProductActivity{
		Views: unionStrings(a.Views, b.Views, MaxCountedPerProduct),
		Adds:  unionAdds(a.Adds, b.Adds),
	}
	out.TitleFrom = lastKey(a.TitleFrom, b.TitleFrom)
	switch {
	case out.TitleFrom.IsZero():
	case sameKey(out.TitleFrom, a.TitleFrom) && sameKey(out.TitleFrom, b.TitleFrom):
		out.Title = max(a.Title, b.Title)
	case sameKey(out.TitleFrom, a.TitleFrom):
		out.Title = a.Title
	default:
		out.Title = b.Title
	}
	return out
}

// unionAdds is the union of two sets of adds by id (on a repeated id the
// larger entry, so that a merge never depends on order), sorted by id and
// at most MaxCountedPerProduct long.
func unionAdds(a, b []AddEvent) []AddEvent {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	all := make([]AddEvent, 0, len(a)+len(b))
	all = append(append(all, a...), b...)
	slices.SortFunc(all, func(x, y AddEvent) int {
		switch {
		case x.ID != y.ID:
			return strings.Compare(x.ID, y.ID)
		case x.Value != y.Value:
			return compareInt(y.Value, x.Value)
		}
		return compareInt(int64(y.Quantity), int64(x.Quantity))
	})
	out := all[:0]
	for _, x := range all {
		if len(out) > 0 && out[len(out)-1].ID == x.ID {
			continue
		}
		out = append(out, x)
	}
	if len(out) > MaxCountedPerProduct {
		out = out[:MaxCountedPerProduct]
	}
	return slices.Clip(out)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Adjacent reports whether a and b are of one client and their event spans
// overlap or lie at most VisitGap apart: then they are one visit.
func Adjacent(a, b Visit) bool {
	return a.ClientID == b.ClientID &&
		b.Start.Sub(a.End) <= VisitGap && a.Start.Sub(b.End) <= VisitGap
}

// Fold adds events to existing visits and returns the visits that result,
// sorted by client and start. existing must be visits as Fold returns
// them (each a maximal run); they may be of several clients. Each event
// joins the visits of its client it is adjacent to, and an event that
// closes the gap between two visits bridges them into one. Events without
// a client id, an id or a time are ignored.
//
// The result does not depend on the order of events, on how they are
// split over calls (Fold(Fold(nil, a), b) equals Fold(nil, a+b)), or on
// repeats of an event. The store loads, for a batch, the client's visits
// whose span comes within VisitGap of the batch's events, folds, deletes
// the loaded visits and writes the result.
func Fold(existing []Visit, events []StorefrontEvent) []Visit {
	return new(Agents).Fold(existing, events)
}

// Fold is Fold with the user agents classified by a, so that the folds of
// many clients read each user agent once.
func (a *Agents) Fold(existing []Visit, events []StorefrontEvent) []Visit {
	all := make([]Visit, 0, len(existing)+len(events))
	all = append(all, existing...)
	for _, e := range events {
		if e.ClientID == "" || e.ID == "" || e.At.IsZero() {
			continue
		}
		all = append(all, visitOf(e, a))
	}
	slices.SortFunc(all, func(x, y Visit) int {
		if c := strings.Compare(x.ClientID, y.ClientID); c != 0 {
			return c
		}
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return strings.Compare(x.FirstID, y.FirstID)
	})
	var out []Visit
	for _, v := range all {
		if n := len(out); n > 0 && Adjacent(out[n-1], v) {
			out[n-1] = MergeVisits(out[n-1], v)
			continue
		}
		out = append(out, MergeVisits(v, Visit{}))
	}
	return out
}

// CompleteByOrder marks the visit completed when checkoutToken is one of
// the checkout tokens its events carried: an orders/create webhook for
// that checkout arrived (pixels miss some checkout_completed events). at
// is the order's time; the completed stage keeps the earliest time. It
// reports whether the token was the visit's.
func (v Visit) CompleteByOrder(checkoutToken string, at time.Time) (Visit, bool) {
	if checkoutToken == "" || !slices.Contains(v.CheckoutTokens, checkoutToken) {
		return v, false
	}
	if at.IsZero() {
		at = v.End
	}
	v.CompletedByOrder = true
	v.Stages[StorefrontCompleted] = earliest(v.Stages[StorefrontCompleted], at.UTC())
	return v, true
}

// Furthest returns the furthest storefront stage the visit reached;
// every visit has at least visited.
func (v Visit) Furthest() StorefrontStage {
	for st := StorefrontCompleted; st > StorefrontVisited; st-- {
		if !v.Stages[st].IsZero() {
			return st
		}
	}
	return StorefrontVisited
}

// Reached reports whether the visit counts at stage st: it reached st or a
// later stage (a visit counts at every stage up to its furthest).
func (v Visit) Reached(st StorefrontStage) bool { return st <= v.Furthest() }

// Viewed reports whether the visit viewed a page of type p. For product
// pages that is the viewed_product stage (a product view, a product page,
// or a later stage, which counts at every stage before it), so that the
// product pages' visits are the viewed_product stage's.
func (v Visit) Viewed(p PageType) bool {
	if p == PageProduct {
		return v.Reached(StorefrontViewedProduct)
	}
	return slices.Contains(v.Pages, p)
}
