package journeys

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Storefront describes what a store's web pixel and theme embed see: the
// visits of a Mix's shoppers, who add to cart, and of the many more who
// never do. Mix.Visits draws them.
type Storefront struct {
	// Host is the storefront's host, e.g. example.myshopify.com.
	Host string
	// Browsers is how many visits that never add to cart come for every
	// shopper who does (a store adding to cart in 6% of visits has about
	// 15).
	Browsers float64
	// Unseen is the percentage of cart shoppers whose browser the pixel
	// never hears from (no analytics consent, a blocker); their funnel
	// sessions have no visit. UnseenEU is the percentage in the countries
	// where consent is asked first.
	Unseen, UnseenEU int
	// Devices are drawn by weight: Browse for the visits that never add,
	// Cart for the shoppers who add but do not order, Order for those who
	// do, so that a device's share of visits and its conversion differ.
	Devices []DeviceMix
	// Landings are the first pages of the visits that never add, drawn by
	// weight; CartLandings those of the shoppers who add.
	Landings, CartLandings []Landing
	// Home, Collection and Product are the chances, per page of each type,
	// of what a shopper does there (Page.go on is the chance of going on
	// to another page).
	Home       HomePage
	Collection CollectionPage
	Product    ProductPage
	// Buyer is the product page of a shopper who adds to cart (they look
	// harder before they do).
	Buyer ProductPage
	// MissedCompletions is the percentage of completed checkouts whose
	// checkout_completed the pixel never sends (the thank-you page closed
	// before it could); the order webhook completes those visits.
	MissedCompletions int
}

// DeviceMix is a device as the pixel's events show it (a user agent and
// a window), with its weights in Storefront.Devices.
type DeviceMix struct {
	// Kind is what funnel.DeviceOf makes of UserAgent: mobile, tablet or
	// desktop.
	Kind                funnel.Device
	UserAgent           string
	Width, Height       int
	Browse, Cart, Order int
}

// Landing is a kind of first page and its weight.
type Landing struct {
	Page   funnel.PageType
	Weight int
}

// HomePage holds the chances of what a shopper does on the home page:
// Scroll[i] is the chance of reaching 25, 50, 75 and 100% of it having
// reached the depth before (Scroll[1] is MobileHalf on a phone), Nav of
// clicking a menu link to another page.
type HomePage struct {
	Scroll     [4]float64
	MobileHalf float64
	Nav        float64
}

// CollectionPage holds the chances of filtering or sorting, of opening a
// product, and of going back to the home page otherwise.
type CollectionPage struct {
	Filter, Product, Home float64
}

// ProductPage holds the chances of using the gallery, choosing a variant,
// reaching the reviews, and (for a visit that does not add) of going on to
// another product.
type ProductPage struct {
	Gallery, Variant, Reviews, Another float64
}

// Visit is one visit as the pixel sees it: one browser (ClientID) and its
// events in time order. Shopper is the cart shopper of the visit, nil
// when it never adds to cart.
type Visit struct {
	N        int
	ClientID string
	Device   DeviceMix
	Shopper  *Shopper
	Events   []StorefrontEvent
}

// StorefrontEvent is one customer event of a visit, before rendering:
// Data (a standard event's) or Custom (a custom event's) are the payload
// as Shopify's or the embed's JSON.
type StorefrontEvent struct {
	Name string
	// Custom marks a custom (funnelscope:*) event.
	Custom bool
	At     time.Time
	// Seq is the event's index on its page (it restarts at every
	// page_viewed), Page the page it happened on.
	Seq  int
	Page *StorefrontPage
	// Data is the event's data or customData, already encoded.
	Data []byte
	// Flush is when the pixel sends the event: on the next page's
	// page_viewed, or a few seconds after the last event of the visit.
	Flush time.Time
}

// StorefrontPage is a page of a visit: its path, query (with its "?"),
// title, and the referrer the browser reports on it.
type StorefrontPage struct {
	Path, Search, Title, Referrer string
}

// The euCountries are where the demo's shoppers are asked for consent
// before any analytics: their pixel is more often silent.
var euCountries = []string{"GB", "DE", "FR", "NL"}

// Visits draws the storefront visits of shoppers (the crowd m drew) as sf
// describes them: one visit for each cart shopper the pixel sees, ending
// in their cart and checkout with the same cart and checkout tokens as
// their webhooks, and Browsers times as many that never add to cart,
// spread over m's span as the carts are. Visits are in the order of
// their first events. The same m, sf and shoppers draw the same visits.
func (m Mix) Visits(sf Storefront, shoppers []Shopper) []Visit {
	g := &visitGen{m: m, sf: sf, rng: rand.New(rand.NewPCG(m.Seed, 0x51f0))}
	var out []Visit
	for i := range shoppers {
		s := &shoppers[i]
		unseen := sf.Unseen
		if slices.Contains(euCountries, s.Country.Code) {
			unseen = sf.UnseenEU
		}
		if g.rng.IntN(100) < unseen {
			continue
		}
		out = append(out, g.cartVisit(s))
	}
	browsers := int(math.Round(sf.Browsers * float64(len(shoppers))))
	for range browsers {
		out = append(out, g.browseVisit())
	}
	slices.SortStableFunc(out, func(a, b Visit) int { return a.Events[0].At.Compare(b.Events[0].At) })
	for i := range out {
		out[i].N = i + 1
	}
	return out
}

// visitGen draws visits: rng is its own stream, apart from the crowd's, so
// that adding a storefront changes none of the webhooks.
type visitGen struct {
	m   Mix
	sf  Storefront
	rng *rand.Rand
}

// walk is one visit being drawn: the time so far and its events.
type walk struct {
	g       *visitGen
	v       Visit
	at      time.Time
	page    *StorefrontPage
	seq     int
	search  string // the landing page's UTM query, "" when none
	extRef  string // the referrer of the landing page
	lastCol string
}

func (g *visitGen) newWalk(device DeviceMix, source Source, start time.Time) *walk {
	w := &walk{g: g, at: start, extRef: source.Referrer}
	w.v = Visit{ClientID: g.uuid(), Device: device}
	switch source.Name {
	case "email":
		w.search = "?utm_source=klaviyo&utm_medium=email&utm_campaign=weekly"
	case "instagram", "facebook", "tiktok":
		if g.rng.IntN(2) == 0 {
			w.search = "?utm_source=" + source.Name + "&utm_medium=paid_social"
		}
	}
	return w
}

// uuid is a version-4-shaped id from the visit stream.
func (g *visitGen) uuid() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i := range 32 {
		switch i {
		case 8, 12, 16, 20:
			b = append(b, '-')
		}
		c := hex[g.rng.IntN(16)]
		switch i {
		case 12:
			c = '4'
		case 16:
			c = hex[8+g.rng.IntN(4)]
		}
		b = append(b, c)
	}
	return string(b)
}

// pickDevice draws a device by weight.
func (g *visitGen) pickDevice(weight func(DeviceMix) int) DeviceMix {
	return weighted(g.rng, g.sf.Devices, weight)
}

func (g *visitGen) chance(p float64) bool { return g.rng.Float64() < p }

// pause is a time on a page, from min to max seconds.
func (g *visitGen) pause(lo, hi int) time.Duration {
	return time.Duration(lo*1000+g.rng.IntN((hi-lo)*1000+1)) * time.Millisecond
}

// start draws a visit's start as Crowd draws a cart's.
func (g *visitGen) start() time.Time {
	frac := g.rng.Float64()
	if g.rng.IntN(10) < g.m.Recent {
		frac = 1 - math.Sqrt(frac)
	}
	return g.m.End.Add(-time.Duration(frac * float64(g.m.Span)))
}

// emit adds an event on the current page at the walk's time.
func (w *walk) emit(name string, custom bool, data []byte) {
	w.v.Events = append(w.v.Events, StorefrontEvent{Name: name, Custom: custom, At: w.at, Seq: w.seq, Page: w.page, Data: data})
	w.seq++
}

// open views a page: page_viewed, with the previous page (or the landing
// referrer) as referrer.
func (w *walk) open(path, title string) {
	ref := w.extRef
	search := ""
	if w.page != nil {
		ref = "https://" + w.g.sf.Host + w.page.Path + w.page.Search
	} else {
		search = w.search
	}
	w.page = &StorefrontPage{Path: path, Search: search, Title: title, Referrer: ref}
	w.seq = 0
	w.emit(funnel.EventPageViewed, false, emptyData)
}

// The pages of the demo storefront.
var collections = []struct{ handle, title string }{
	{"new-arrivals", "New Arrivals"}, {"outerwear", "Outerwear"}, {"accessories", "Accessories"}, {"home-goods", "Home Goods"},
}

func (w *walk) home() {
	w.open("/", "Home")
	sf, g := w.g.sf.Home, w.g
	for i, p := range sf.Scroll {
		if i == 1 && w.v.Device.Kind == funnel.DeviceMobile {
			p = sf.MobileHalf
		}
		w.at = w.at.Add(g.pause(2, 12))
		if !g.chance(p) {
			break
		}
		w.emit(funnel.EventScrollDepth, true, scrollData[i])
	}
}

func (w *walk) collection(filter float64) {
	g := w.g
	c := collections[g.rng.IntN(len(collections))]
	w.lastCol = c.handle
	w.open("/collections/"+c.handle, c.title)
	w.emit(funnel.EventCollectionViewed, false, collectionData(c.handle, c.title))
	w.at = w.at.Add(g.pause(4, 30))
	if g.chance(filter) {
		w.emit(funnel.EventFilterUsed, true, filterData[g.rng.IntN(len(filterData))])
		w.at = w.at.Add(g.pause(3, 20))
	}
}

// nav clicks a menu link: the embed's nav_clicked, then the next page.
func (w *walk) nav(href, text string) {
	w.at = w.at.Add(w.g.pause(1, 6))
	w.emit(funnel.EventNavClicked, true, navData(w.g.sf.Host, href, text))
	w.at = w.at.Add(w.g.pause(1, 3))
}

// product views item k of the catalog with the chances of pp.
func (w *walk) product(k int, pp ProductPage) {
	g := w.g
	it := g.m.Catalog[k]
	path := "/products/" + handle(it.Title)
	if w.lastCol != "" && g.rng.IntN(3) == 0 {
		path = "/collections/" + w.lastCol + path
	}
	w.open(path, it.Title)
	w.emit(funnel.EventProductViewed, false, productViewedData(k, it))
	for _, step := range []struct {
		p    float64
		name string
		data func() []byte
	}{
		{pp.Gallery, funnel.EventGalleryInteraction, func() []byte { return galleryData[g.rng.IntN(len(galleryData))] }},
		{pp.Variant, funnel.EventVariantSelected, func() []byte { return variantData(k, g.rng.IntN(4)) }},
		{pp.Reviews, funnel.EventReviewsReached, func() []byte { return reviewsData }},
	} {
		w.at = w.at.Add(g.pause(3, 25))
		if g.chance(step.p) {
			w.emit(step.name, true, step.data())
		}
	}
}

// browseVisit draws a visit that never adds to cart.
func (g *visitGen) browseVisit() Visit {
	dev := g.pickDevice(func(d DeviceMix) int { return d.Browse })
	src := weighted(g.rng, g.m.Sources, func(s Source) int { return s.Weight })
	w := g.newWalk(dev, src, g.start())
	land := weighted(g.rng, g.sf.Landings, func(l Landing) int { return l.Weight }).Page
	sf := g.sf
	for step := 0; step < 8; step++ {
		switch land {
		case funnel.PageHome:
			w.home()
			if !g.chance(sf.Home.Nav) {
				return w.done()
			}
			if g.rng.IntN(10) < 7 {
				w.nav("/collections/all", "Shop")
				land = funnel.PageCollection
			} else {
				w.nav("/products", "Best sellers")
				land = funnel.PageProduct
			}
		case funnel.PageCollection:
			w.collection(sf.Collection.Filter)
			switch {
			case g.chance(sf.Collection.Product):
				land = funnel.PageProduct
			case g.chance(sf.Collection.Home):
				w.nav("/", "Home")
				land = funnel.PageHome
			default:
				return w.done()
			}
		case funnel.PageProduct:
			w.product(g.rng.IntN(len(g.m.Catalog)), sf.Product)
			if !g.chance(sf.Product.Another) {
				return w.done()
			}
			w.at = w.at.Add(g.pause(2, 15))
			if g.rng.IntN(2) == 0 {
				land = funnel.PageCollection
			}
		case funnel.PageSearch:
			w.open("/search", "Search")
			w.emit(funnel.EventSearchSubmitted, false, searchData)
			w.at = w.at.Add(g.pause(5, 30))
			if !g.chance(sf.Collection.Product) {
				return w.done()
			}
			land = funnel.PageProduct
		default:
			w.open("/pages/about", "About us")
			w.at = w.at.Add(g.pause(10, 60))
			if !g.chance(sf.Home.Nav) {
				return w.done()
			}
			land = funnel.PageCollection
		}
		w.at = w.at.Add(g.pause(2, 10))
	}
	return w.done()
}

// cartVisit draws the visit of a shopper who adds to cart: the pages on
// the way to their first item, its add to cart just before the cart
// webhook, the embed's cart token, the other items, and the checkout as
// far as the shopper got, each step at its webhook's time.
func (g *visitGen) cartVisit(s *Shopper) Visit {
	weight := func(d DeviceMix) int { return d.Cart }
	if s.Stop == funnel.StageCompleted {
		weight = func(d DeviceMix) int { return d.Order }
	}
	if kind := s.Device; kind != "" && slices.ContainsFunc(g.sf.Devices, func(d DeviceMix) bool { return d.Kind == kind && weight(d) > 0 }) {
		all := weight
		weight = func(d DeviceMix) int {
			if d.Kind != kind {
				return 0
			}
			return all(d)
		}
	}
	dev := g.pickDevice(weight)
	src := Source{Name: s.Source, Referrer: s.Referrer}
	cartAt := s.At[funnel.StageAddedToCart]
	// The walk to the product is drawn from a provisional start, then
	// shifted so that the add lands two seconds before the cart webhook.
	w := g.newWalk(dev, src, cartAt)
	k := g.catalogIndex(s.Items[0])
	switch weighted(g.rng, g.sf.CartLandings, func(l Landing) int { return l.Weight }).Page {
	case funnel.PageHome:
		w.home()
		w.nav("/collections/all", "Shop")
		w.collection(g.sf.Collection.Filter)
		w.at = w.at.Add(g.pause(2, 10))
	case funnel.PageCollection:
		w.collection(g.sf.Collection.Filter)
		w.at = w.at.Add(g.pause(2, 10))
	}
	w.product(k, g.sf.Buyer)
	w.at = w.at.Add(g.pause(2, 12))
	shift := cartAt.Add(-2 * time.Second).Sub(w.at)
	for i := range w.v.Events {
		w.v.Events[i].At = w.v.Events[i].At.Add(shift)
	}
	w.at = cartAt.Add(-2 * time.Second)
	w.emit(funnel.EventProductAddedToCart, false, addedData(k, s.Items[0]))
	w.at = cartAt.Add(time.Second)
	w.emit(funnel.EventCart, true, cartData(s.Cart, s.N))
	// The other items are added before the checkout starts; an item that
	// would come later is left out of the visit (its cart line stays).
	limit := cartAt.Add(time.Hour)
	switch {
	case s.Express && s.Stop == funnel.StageCompleted:
		limit = s.At[funnel.StageCompleted].Add(-time.Minute)
	case s.Stop >= funnel.StageCheckoutStarted:
		limit = s.At[funnel.StageCheckoutStarted]
	}
	for _, it := range s.Items[1:] {
		n, at := len(w.v.Events), w.at
		w.at = w.at.Add(g.pause(10, 30))
		j := g.catalogIndex(it)
		w.product(j, ProductPage{Variant: g.sf.Buyer.Variant})
		w.at = w.at.Add(g.pause(2, 8))
		w.emit(funnel.EventProductAddedToCart, false, addedData(j, it))
		if !w.at.Before(limit.Add(-5 * time.Second)) {
			w.v.Events, w.at = w.v.Events[:n], at
			break
		}
	}
	w.checkout(s)
	v := w.done()
	v.Shopper = s
	return v
}

// checkout adds the checkout events of s, each at the time of its
// webhook: started, contact, address, shipping (payment reached), then
// payment and completion for an order. An express order goes from start
// to completion in a minute.
func (w *walk) checkout(s *Shopper) {
	g := w.g
	if s.Stop < funnel.StageCheckoutStarted {
		return
	}
	total := Cents(s.Items)
	path := "/checkouts/cn/" + s.Checkout
	started := s.At[funnel.StageCheckoutStarted]
	if s.Express {
		started = s.At[funnel.StageCompleted].Add(-time.Minute)
	}
	w.at = started
	w.page = &StorefrontPage{Path: path, Title: "Checkout", Referrer: "https://" + g.sf.Host + "/cart"}
	w.seq = 0
	w.emit(funnel.EventPageViewed, false, emptyData)
	w.emit(funnel.EventCheckoutStarted, false, checkoutData(s, total))
	if !s.Express {
		for st, name := range []string{funnel.EventContactInfoSubmitted, funnel.EventAddressInfoSubmitted, funnel.EventShippingInfoSubmitted} {
			if stage := funnel.StageContactSubmitted + funnel.Stage(st); s.Stop >= stage {
				w.at = s.At[stage]
				w.emit(name, false, checkoutData(s, total))
			}
		}
	}
	w.paymentTrouble(s, total)
	if s.Stop < funnel.StageCompleted {
		return
	}
	w.at = s.At[funnel.StageCompleted].Add(-20 * time.Second)
	w.emit(funnel.EventPaymentInfoSubmitted, false, checkoutData(s, total))
	if g.rng.IntN(100) < g.sf.MissedCompletions {
		return
	}
	w.at = s.At[funnel.StageCompleted]
	w.page = &StorefrontPage{Path: path + "/thank-you", Title: "Thank you", Referrer: "https://" + g.sf.Host + path}
	w.seq = 0
	w.emit(funnel.EventPageViewed, false, emptyData)
	w.emit(funnel.EventCheckoutCompleted, false, completedData(s, total))
}

// catalogIndex is the index of it in the catalog (by title).
func (g *visitGen) catalogIndex(it Item) int {
	return max(slices.IndexFunc(g.m.Catalog, func(c Item) bool { return c.Title == it.Title }), 0)
}

// done drops the visit's events after the mix's end (a checkout step the
// webhooks do not send either; the first event never is), numbers each
// page's events from 0, and sets each event's flush time.
func (w *walk) done() Visit {
	v := w.v
	end := w.g.m.End.Add(10 * time.Minute)
	v.Events = slices.DeleteFunc(v.Events, func(e StorefrontEvent) bool { return e.At.After(end) })
	seq := 0
	var page *StorefrontPage
	flushFrom := 0
	for i := range v.Events {
		e := &v.Events[i]
		if e.Page != page || e.Name == funnel.EventPageViewed {
			if e.Name == funnel.EventPageViewed {
				for j := flushFrom; j < i; j++ {
					v.Events[j].Flush = e.At
				}
				flushFrom = i
			}
			page, seq = e.Page, 0
		}
		e.Seq = seq
		seq++
	}
	last := v.Events[len(v.Events)-1].At.Add(2 * time.Second)
	for j := flushFrom; j < len(v.Events); j++ {
		v.Events[j].Flush = last
	}
	return v
}

// handle is a title as a product handle.
func handle(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
