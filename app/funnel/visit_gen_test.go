package funnel

import (
	"fmt"
	"time"
)

var storefrontT0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// genStorefrontEvent draws one event of a few clients' browsing: times on
// a coarse grid (ties common; gaps just under, at and over VisitGap), in
// several locations, every event name visits read, pages of every type,
// a few products and tokens.
func genStorefrontEvent(pick chooser, id int) StorefrontEvent {
	minutes := oneOf(pick, 0, 1, 5, 10, 29, 30, 31, 45, 60, 61, 90, 100, 125, 200)
	at := storefrontT0.Add(time.Duration(minutes) * time.Minute)
	if pick(3) == 0 {
		at = at.Add(time.Duration(pick(3)) * time.Second)
	}
	switch pick(3) {
	case 1:
		at = at.In(time.FixedZone("EST", -5*3600))
	case 2:
		at = at.In(time.FixedZone("IST", 5*3600+1800))
	}
	e := StorefrontEvent{
		ID:       fmt.Sprintf("e-%03d", id),
		ClientID: oneOf(pick, "c1", "c1", "c2"),
		Name: oneOf(pick, EventPageViewed, EventPageViewed, EventCollectionViewed, EventProductViewed, EventProductViewed,
			EventProductAddedToCart, EventCheckoutStarted, EventContactInfoSubmitted, EventAddressInfoSubmitted,
			EventShippingInfoSubmitted, EventPaymentInfoSubmitted, EventCheckoutCompleted, EventScrollDepth,
			EventGalleryInteraction, EventReviewsReached, EventVariantSelected, EventFilterUsed, EventCart,
			EventCartViewed, "clicked"),
		At: at,
	}
	if e.Name != "clicked" { // DOM events have no context
		e.Host = "shop.example"
		e.Path = oneOf(pick, "/", "/en", "/collections/all", "/collections/all/products/mug", "/products/mug",
			"/products/tee", "/search", "/cart", "/pages/about", "/checkouts/cn/abc")
		e.Query = oneOf(pick, "", "", "utm_source=newsletter&utm_medium=email", "filter.v.price.gte=10", "sort_by=price")
		e.ReferrerHost = oneOf(pick, "", "www.google.com", "shop.example", "instagram.com", "example.org")
		e.UserAgent = oneOf(pick, "", uaIPhone, uaIPad, uaDesktop, uaAndroidTablet, uaGooglebot)
		e.InnerWidth = oneOf(pick, 0, 390, 820, 1440)
	}
	switch e.Name {
	case EventProductViewed, EventProductAddedToCart:
		e.ProductID = oneOf(pick, "gid://shopify/Product/1", "gid://shopify/Product/2", "")
		e.ProductTitle = oneOf(pick, "Mug", "Tee", "")
		if e.Name == EventProductAddedToCart {
			e.Quantity = 1 + pick(2)
			e.Value = int64(oneOf(pick, 0, 1999, 2500))
			e.Currency = oneOf(pick, "USD", "EUR")
		}
	case EventScrollDepth:
		e.ScrollPercent = oneOf(pick, 25, 50, 75, 100)
	case EventCart, EventCartViewed:
		e.CartToken = oneOf(pick, "cart-a", "cart-b")
	}
	if e.Name == EventCheckoutStarted || e.Name == EventCheckoutCompleted || e.Name == EventPaymentInfoSubmitted ||
		e.Name == EventContactInfoSubmitted {
		e.CheckoutToken = oneOf(pick, "chk-1", "chk-2")
	}
	return e
}

// A few user agents, as browsers send them.
const (
	uaIPhone        = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	uaIPad          = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1"
	uaIPadDesktop   = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
	uaDesktop       = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaAndroid       = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	uaAndroidTablet = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaGooglebot     = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)
