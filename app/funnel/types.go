// Package funnel is Funnelscope's domain: the stages of a shopper's journey,
// how one webhook event advances a funnel session, session status, and the
// arithmetic of the funnel report. It is pure Go: no I/O, no database, no HTTP.
package funnel

import "time"

// Stage is a step of the funnel. The zero value means no stage was reached.
type Stage int

// The six stages, in funnel order.
const (
	StageNone Stage = iota
	StageAddedToCart
	StageCheckoutStarted
	StageContactSubmitted
	StageAddressSubmitted
	StagePaymentReached
	StageCompleted
)

// Status is where a session stands against the shop's idle threshold.
type Status string

// The session statuses, as the API names them (GET /api/sessions?status=…).
const (
	StatusActive          Status = "active"
	StatusAbandonedCart   Status = "abandoned_cart"
	StatusCheckoutDropoff Status = "checkout_dropoff"
	StatusPaymentDropoff  Status = "payment_dropoff"
	StatusCompleted       Status = "completed"
	StatusRecovered       Status = "recovered"
)

// EventKind says which kind of Shopify record an Event was read from.
type EventKind string

// The kinds of record that feed the funnel.
const (
	KindCart     EventKind = "cart"
	KindCheckout EventKind = "checkout"
	KindOrder    EventKind = "order"
)

// LineItem is one line of a cart, as much of it as the report and alerts show.
type LineItem struct {
	Title    string `json:"title"`
	Quantity int    `json:"quantity"`
}

// Event is one cart, checkout or order snapshot, reduced to the facts the
// funnel needs. Times come from the payload itself, never from when it arrived.
type Event struct {
	Kind          EventKind
	CartToken     string
	CheckoutToken string
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Cart contents: money in minor units (hundredths) of Currency.
	Value     int64
	Currency  string
	ItemCount int
	LineItems []LineItem

	// Checkout progress.
	Email              string
	Phone              string
	HasShippingAddress bool
	HasBillingAddress  bool
	RequiresShipping   bool
	HasShippingLine    bool
	CompletedAt        *time.Time

	// Attribution and follow-up details.
	Country       string
	LandingSite   string
	ReferringSite string
	SourceName    string
	Gateway       string
	RecoveryURL   string
	// Returning says the customer had ordered before; ReturningKnown that
	// the payload said either way (newer API versions leave it out).
	Returning      bool
	ReturningKnown bool
}

// Session is one shopper's journey through one cart: the join of every event
// applied to it. Stage times are the earliest seen; LastActivity the latest.
type Session struct {
	Key           string
	CartToken     string
	CheckoutToken string
	StartedAt     time.Time
	LastActivity  time.Time

	AddedToCartAt      *time.Time
	CheckoutStartedAt  *time.Time
	ContactSubmittedAt *time.Time
	AddressSubmittedAt *time.Time
	PaymentReachedAt   *time.Time
	CompletedAt        *time.Time

	// Contents come from the newest snapshot that carried line items.
	ContentAt   time.Time
	ContentRank int
	Value       int64
	Currency    string
	ItemCount   int
	LineItems   []LineItem

	// Attributes: each the latest non-empty value any event reported
	// (see Attr), with the stamp of the snapshot it came from in AttrSeen.
	Email          string
	Phone          string
	Country        string
	LandingSite    string
	ReferringSite  string
	SourceName     string
	Gateway        string
	RecoveryURL    string
	Returning      bool
	ReturningKnown bool
	AttrSeen       [attrCount]Stamp

	// AbandonedAt is set once, by the abandonment scan, when the session was
	// first flagged; a completed session with it set counts as recovered.
	AbandonedAt *time.Time

	// Device and LandingPageType are the joined visit's (JoinVisit), set
	// by the store when it reads the session; no webhook carries them, so
	// Merge and the ingest leave them empty. Empty: no visit joined.
	Device          Device
	LandingPageType PageType
}
