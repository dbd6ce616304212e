package funnel

import (
	"testing"
	"time"
)

// ev builds an event of client c1 at minute m of storefrontT0.
func ev(id string, m int, name, path string, mod ...func(*StorefrontEvent)) StorefrontEvent {
	e := StorefrontEvent{ID: id, ClientID: "c1", Name: name, At: storefrontT0.Add(time.Duration(m) * time.Minute),
		Host: "shop.example", Path: path, UserAgent: uaDesktop, InnerWidth: 1440}
	for _, f := range mod {
		f(&e)
	}
	return e
}

func TestVisitsSplitAtThirtyMinutesAndBridge(t *testing.T) {
	a := ev("a", 0, EventPageViewed, "/")
	b := ev("b", 30, EventPageViewed, "/cart")     // exactly 30 minutes: same visit
	c := ev("c", 61, EventPageViewed, "/search")   // 31 minutes later: a new visit
	d := ev("d", 120, EventPageViewed, "/pages/x") // another one
	vs := Fold(nil, []StorefrontEvent{d, c, a, b})
	if len(vs) != 3 || vs[0].FirstID != "a" || !vs[0].End.Equal(b.At) || vs[1].FirstID != "c" || vs[2].FirstID != "d" {
		t.Fatalf("visits %+v", vs)
	}
	// An event at minute 90 closes both gaps (61 → 90 → 120): one visit.
	bridge := ev("x", 90, EventPageViewed, "/collections/all")
	vs = Fold(vs, []StorefrontEvent{bridge})
	if len(vs) != 2 || vs[1].FirstID != "c" || !vs[1].End.Equal(d.At) || vs[1].Landing != PageSearch {
		t.Fatalf("after the bridge %+v", vs)
	}
	if !Adjacent(vs[0], Visit{ClientID: "c1", Start: b.At.Add(VisitGap), End: b.At.Add(VisitGap)}) ||
		Adjacent(vs[0], Visit{ClientID: "c1", Start: b.At.Add(VisitGap + time.Second), End: d.At}) ||
		Adjacent(vs[0], Visit{ClientID: "c2", Start: a.At, End: a.At}) {
		t.Error("Adjacent disagrees with the 30-minute rule or the client")
	}
}

func TestVisitFirstEventDecides(t *testing.T) {
	phone := func(e *StorefrontEvent) { e.UserAgent, e.InnerWidth = uaIPhone, 390 }
	google := func(e *StorefrontEvent) { e.ReferrerHost = "www.google.com" }
	noContext := func(e *StorefrontEvent) { e.Path, e.UserAgent, e.InnerWidth, e.Host = "", "", 0, "" }
	vs := Fold(nil, []StorefrontEvent{
		ev("2", 5, EventPageViewed, "/cart"),
		ev("0", 0, "clicked", "", noContext), // a DOM event: no device, no page
		ev("1", 1, EventPageViewed, "/products/mug", phone, google),
	})
	v := vs[0]
	if v.Device != DeviceMobile || v.Landing != PageProduct || v.LandingPath != "/products/mug" || v.Source != SourceSearch || v.FirstID != "0" {
		t.Errorf("device %s landing %s %s source %s first %s", v.Device, v.Landing, v.LandingPath, v.Source, v.FirstID)
	}
}

func TestVisitMicroConversions(t *testing.T) {
	scroll := func(p int) func(*StorefrontEvent) { return func(e *StorefrontEvent) { e.ScrollPercent = p } }
	product := func(e *StorefrontEvent) { e.ProductID, e.ProductTitle = "p1", "Mug" }
	add := func(e *StorefrontEvent) {
		e.ProductID, e.ProductTitle, e.Quantity, e.Value, e.Currency = "p1", "Mug", 2, 3998, "USD"
	}
	v := Fold(nil, []StorefrontEvent{
		ev("01", 0, EventPageViewed, "/"),
		ev("02", 1, EventScrollDepth, "/", scroll(25)),
		ev("03", 2, EventScrollDepth, "/", scroll(50)),
		ev("04", 3, EventPageViewed, "/collections/all", func(e *StorefrontEvent) { e.Query = "sort_by=price" }),
		ev("05", 3, EventCollectionViewed, "/collections/all"),
		ev("06", 4, EventPageViewed, "/products/mug"),
		ev("07", 4, EventProductViewed, "/products/mug", product),
		ev("08", 5, EventReviewsReached, "/products/mug"),
		ev("09", 5, EventGalleryInteraction, "/collections/all"), // not on a product page
		ev("10", 6, EventProductAddedToCart, "/products/mug", add),
		ev("11", 6, EventProductViewed, "/products/mug", product),
		ev("11", 6, EventProductViewed, "/products/mug", product), // a repeat
	})[0]
	want := map[MicroKey]bool{
		MicroScrolledHalf: true, MicroNavigated: true, MicroProductClicked: true, MicroFiltered: true,
		MicroGallery: false, MicroReviewsReached: true, MicroVariantSelected: false, MicroAddedToCart: true,
	}
	for m, w := range want {
		if got := v.Micro(m); got != w {
			t.Errorf("%s = %v, want %v", m, got, w)
		}
	}
	p := v.Products["p1"]
	if p.ViewCount() != 2 || p.AddCount() != 1 || p.AddValue() != 3998 || p.Title != "Mug" || v.Currency != "USD" {
		t.Errorf("product %+v", p)
	}
	if v.Furthest() != StorefrontAddedToCart {
		t.Errorf("furthest %s", v.Furthest())
	}

	// Only a home page view: not navigated; a product view before the
	// collection view is not a click through.
	v = Fold(nil, []StorefrontEvent{
		ev("1", 0, EventPageViewed, "/"),
		ev("2", 1, EventProductViewed, "/products/mug", product),
		ev("3", 2, EventCollectionViewed, "/collections/all"),
	})[0]
	if v.Micro(MicroProductClicked) {
		t.Error("product view before the collection view counted as a click through")
	}
	if v.Micro(MicroNavigated) {
		t.Error("navigated without a later page view (product and collection views are not page views)")
	}
}

func TestVisitCompleteByOrder(t *testing.T) {
	chk := func(e *StorefrontEvent) { e.CheckoutToken = "tok-1" }
	v := Fold(nil, []StorefrontEvent{
		ev("1", 0, EventPageViewed, "/"),
		ev("2", 3, EventCheckoutStarted, "/checkouts/cn/x", chk),
		ev("3", 4, EventPaymentInfoSubmitted, "/checkouts/cn/x", chk),
	})[0]
	if v.Furthest() != StorefrontPaymentSubmitted {
		t.Fatalf("furthest %s", v.Furthest())
	}
	if _, ok := v.CompleteByOrder("other", storefrontT0); ok {
		t.Error("completed by another checkout's order")
	}
	done, ok := v.CompleteByOrder("tok-1", storefrontT0.Add(10*time.Minute))
	if !ok || done.Furthest() != StorefrontCompleted || !done.CompletedByOrder || !done.Reached(StorefrontViewedProduct) {
		t.Fatalf("not completed: %+v", done)
	}
	// Later events and merges keep it completed.
	again := Fold([]Visit{done}, []StorefrontEvent{ev("4", 20, EventPageViewed, "/")})
	if len(again) != 1 || again[0].Furthest() != StorefrontCompleted {
		t.Errorf("completion lost: %+v", again)
	}
}

func TestVisitBot(t *testing.T) {
	bot := func(e *StorefrontEvent) { e.UserAgent = uaGooglebot }
	v := Fold(nil, []StorefrontEvent{ev("1", 0, EventPageViewed, "/"), ev("2", 1, EventPageViewed, "/cart", bot)})[0]
	if !v.Bot {
		t.Error("a visit with a crawler's event is not a bot")
	}
	var tally StorefrontTally
	tally.Add(v)
	if tally.Bots != 1 || tally.Visits() != 0 {
		t.Errorf("bot counted in the report: %+v", tally)
	}
}

func TestFoldIgnoresIncompleteEvents(t *testing.T) {
	vs := Fold(nil, []StorefrontEvent{
		{ID: "", ClientID: "c", At: storefrontT0, Name: EventPageViewed},
		{ID: "x", ClientID: "", At: storefrontT0, Name: EventPageViewed},
		{ID: "y", ClientID: "c", Name: EventPageViewed},
	})
	if len(vs) != 0 {
		t.Errorf("visits from incomplete events: %+v", vs)
	}
}

func TestProductViewsAreCapped(t *testing.T) {
	var events []StorefrontEvent
	for i := range MaxCountedPerProduct + 20 {
		events = append(events, ev(string(rune('a'+i%26))+string(rune('a'+i/26)), i%20, EventProductViewed, "/products/mug",
			func(e *StorefrontEvent) { e.ProductID = "p" }))
	}
	v := Fold(nil, events)[0]
	if n := v.Products["p"].ViewCount(); n != MaxCountedPerProduct {
		t.Errorf("%d views kept, want the cap %d", n, MaxCountedPerProduct)
	}
}
