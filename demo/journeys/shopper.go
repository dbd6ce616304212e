// Package journeys makes shopper journeys and the Shopify webhooks they
// cause. A Shopper says who shops, when, how far they get and what they
// buy; it is written out by hand (the scenario tests) or drawn by a Crowd
// from a Mix (the demo's store history, the benchmarks' load generator).
// Payloads renders a shopper's carts/create, carts/update,
// checkouts/create, checkouts/update and orders/create bodies from a
// store's payload shapes, in the form Shopify sends them.
//
// It knows Shopify's payloads and the funnel's stages, nothing of the app:
// what it makes reaches the app over HTTP, as Shopify's webhooks do.
package journeys

import (
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// Shopper is one shopper's journey through one cart.
type Shopper struct {
	// N numbers the shopper in its history; the numeric ids of the order,
	// the customer and the line items derive from it.
	N int
	// Cart and Checkout are the cart and checkout tokens (the session's
	// key is the cart token). Email is the address the contact step gives.
	Cart, Checkout, Email string
	// Stop is the furthest stage the shopper reaches.
	Stop funnel.Stage
	// At says when the shopper reaches each stage, up to Stop:
	// At[funnel.StageAddedToCart] creates the cart, At[funnel.StageCompleted]
	// is the order.
	At [funnel.StageCompleted + 1]time.Time
	// Express marks an order placed with an express checkout (Shop Pay,
	// Apple Pay): it arrives at At[funnel.StageCompleted] with no checkout
	// before it.
	Express bool
	// Items is the cart as created; Updates change it later.
	Items   []Item
	Updates []CartUpdate
	// Device is the kind of device the shopper shops on, "" when the
	// crowd does not say (Mix.Devices): their storefront visit is on one.
	Device funnel.Device
	// Source is the checkout's and the order's source_name, Referrer the
	// checkout's referring site.
	Source, Referrer string
	// Country is where the order ships, named from the address step on;
	// a zero Country gives no address at all.
	Country Country
	// SignedIn: the contact step names the shopper's customer record, with
	// PriorOrders orders before this one; otherwise the checkout is a
	// guest's, and only the order names the customer.
	SignedIn    bool
	PriorOrders int
	// BareOrder: the order names its tokens, value and times but no
	// address, source or customer beyond its id (a digital order, or one
	// of an API version that leaves them out): what the checkout said
	// stands.
	BareOrder bool
	// Recovered, when not zero, is when a late order wins back the
	// abandoned checkout.
	Recovered time.Time
}

// Item is one line of a cart.
type Item struct {
	Title string
	Cents int64
	Qty   int64
}

// CartUpdate is a carts/update: at At, the cart holds Items (nil: what it
// held before).
type CartUpdate struct {
	At    time.Time
	Items []Item
}

// Country is a shipping country and a town in it.
type Country struct {
	Code, Name, City, Zip string
}

// Cents is the value of items.
func Cents(items []Item) int64 {
	var total int64
	for _, it := range items {
		total += it.Cents * it.Qty
	}
	return total
}
