package funnel

import (
	"net/url"
	"strings"
	"time"
)

// StorefrontEvent is one customer event of the web pixel (a standard event
// or one of the theme embed's funnelscope:* custom events), reduced to the
// facts visits need. It holds no personal data of the shopper: no name,
// e-mail, phone or address ever reaches it. Time is the event's own
// timestamp, never its arrival.
type StorefrontEvent struct {
	// ID is Shopify's event id, the idempotency key: two events with one
	// ID are the same event.
	ID string `json:"id"`
	// ClientID is Shopify's visitor id (clientId); visits are runs of one
	// ClientID's events.
	ClientID string    `json:"client_id"`
	Name     string    `json:"name"`
	At       time.Time `json:"at"`

	// Page: the storefront host, path and query string (without "?") of
	// context.document.location, and the host of document.referrer. Empty
	// when the event has no context (DOM events carry none).
	Host         string `json:"host,omitempty"`
	Path         string `json:"path,omitempty"`
	Query        string `json:"query,omitempty"`
	ReferrerHost string `json:"referrer_host,omitempty"`
	// UserAgent is navigator.userAgent and InnerWidth window.innerWidth in
	// CSS pixels (0 when unknown).
	UserAgent  string `json:"user_agent,omitempty"`
	InnerWidth int    `json:"inner_width,omitempty"`

	// ProductID is the product of a product view or an add to cart (the
	// product's GID or id as Shopify sent it), ProductTitle its title.
	ProductID    string `json:"product_id,omitempty"`
	ProductTitle string `json:"product_title,omitempty"`
	// Quantity and Value (minor units of Currency) of an add to cart line
	// (cartLine.cost.totalAmount), or Value of a checkout
	// (checkout.totalPrice).
	Quantity int    `json:"quantity,omitempty"`
	Value    int64  `json:"value,omitempty"`
	Currency string `json:"currency,omitempty"`

	// CheckoutToken is data.checkout.token, which joins the checkout and
	// order webhooks; CartToken the cart token of the embed's
	// funnelscope:cart or of a pixel cart id (gid://shopify/Cart/<token>).
	CheckoutToken string `json:"checkout_token,omitempty"`
	CartToken     string `json:"cart_token,omitempty"`

	// ScrollPercent is funnelscope:scroll_depth's percent (25, 50, 75 or 100).
	ScrollPercent int `json:"scroll_percent,omitempty"`
	// Gateway and PaymentMethod are of checkout_completed's first
	// transaction; AlertType is alert_displayed's type (PaymentError, …).
	Gateway       string `json:"gateway,omitempty"`
	PaymentMethod string `json:"payment_method,omitempty"`
	AlertType     string `json:"alert_type,omitempty"`
}

// The customer event names visits read. Standard events are Shopify's;
// the funnelscope:* ones are the theme embed's custom events.
const (
	EventPageViewed            = "page_viewed"
	EventCollectionViewed      = "collection_viewed"
	EventProductViewed         = "product_viewed"
	EventSearchSubmitted       = "search_submitted"
	EventCartViewed            = "cart_viewed"
	EventProductAddedToCart    = "product_added_to_cart"
	EventCheckoutStarted       = "checkout_started"
	EventContactInfoSubmitted  = "checkout_contact_info_submitted"
	EventAddressInfoSubmitted  = "checkout_address_info_submitted"
	EventShippingInfoSubmitted = "checkout_shipping_info_submitted"
	EventPaymentInfoSubmitted  = "payment_info_submitted"
	EventCheckoutCompleted     = "checkout_completed"
	EventAlertDisplayed        = "alert_displayed"

	EventScrollDepth        = "funnelscope:scroll_depth"
	EventGalleryInteraction = "funnelscope:gallery_interaction"
	EventReviewsReached     = "funnelscope:reviews_reached"
	EventVariantSelected    = "funnelscope:variant_selected"
	EventFilterUsed         = "funnelscope:filter_used"
	EventNavClicked         = "funnelscope:nav_clicked"
	EventCart               = "funnelscope:cart"
)

// PageType returns the type of the page the event happened on, from its
// path (PageTypeOf), or "" when the event carries no page.
func (e StorefrontEvent) PageType() PageType {
	if e.Path == "" {
		return ""
	}
	return PageTypeOf(e.Path)
}

// KeptQuery returns the parameters of a page's query string (with or
// without its "?") that visits read, the one list of them: utm_*, filter.*,
// sort_by, variant and page, encoded in key order. Every other parameter is
// dropped before anything is stored, since links can carry a shopper's
// e-mail or name (?email=…), and a search's terms are the shopper's own
// words.
func KeptQuery(query string) string {
	in := parseQuery(query)
	out := url.Values{}
	for k, vs := range in {
		if strings.HasPrefix(k, "utm_") || strings.HasPrefix(k, "filter.") || k == "sort_by" || k == "variant" || k == "page" {
			out[k] = vs
		}
	}
	return out.Encode()
}

// ReferrerHost returns the host of a referrer URL, lower-cased, "" when
// there is none or it is not an absolute URL: only the host of a referrer
// is kept.
func ReferrerHost(referrer string) string {
	u, err := url.Parse(strings.TrimSpace(referrer))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
