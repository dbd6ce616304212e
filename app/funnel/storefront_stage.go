package funnel

import "strconv"

// StorefrontStage is a stage of the storefront funnel, from the first page
// view to the completed order. Every visit reaches StorefrontVisited.
type StorefrontStage int

// The nine storefront stages, in funnel order.
const (
	StorefrontVisited StorefrontStage = iota
	StorefrontViewedProduct
	StorefrontAddedToCart
	StorefrontCheckoutStarted
	StorefrontContactSubmitted
	StorefrontAddressSubmitted
	StorefrontPaymentReached
	StorefrontPaymentSubmitted
	StorefrontCompleted
)

// storefrontStageCount is the number of storefront stages.
const storefrontStageCount = int(StorefrontCompleted) + 1

// StorefrontStages returns the nine stages in funnel order; the slice is
// new on every call.
func StorefrontStages() []StorefrontStage {
	out := make([]StorefrontStage, storefrontStageCount)
	for i := range out {
		out[i] = StorefrontStage(i)
	}
	return out
}

// Key returns the stage's key in the report JSON, or "" outside the funnel.
// The stages shared with the cart funnel have its keys.
func (s StorefrontStage) Key() string {
	switch s {
	case StorefrontVisited:
		return "visited"
	case StorefrontViewedProduct:
		return "viewed_product"
	case StorefrontPaymentSubmitted:
		return "payment_submitted"
	}
	if c := s.cartStage(); c != StageNone {
		return c.Key()
	}
	return ""
}

// Label returns the stage as the merchant reads it, or "" outside the
// funnel; the stages shared with the cart funnel have its labels.
func (s StorefrontStage) Label() string {
	switch s {
	case StorefrontVisited:
		return "Visited the store"
	case StorefrontViewedProduct:
		return "Viewed a product"
	case StorefrontPaymentSubmitted:
		return "Submitted payment"
	}
	if c := s.cartStage(); c != StageNone {
		return c.Label()
	}
	return ""
}

// String returns the key, or a Go-syntax form outside the funnel.
func (s StorefrontStage) String() string {
	if k := s.Key(); k != "" {
		return k
	}
	return "StorefrontStage(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the nine stages.
func (s StorefrontStage) Valid() bool {
	return s >= StorefrontVisited && s <= StorefrontCompleted
}

// cartStage is the cart funnel's stage of the same key, or StageNone.
func (s StorefrontStage) cartStage() Stage {
	switch s {
	case StorefrontAddedToCart:
		return StageAddedToCart
	case StorefrontCheckoutStarted:
		return StageCheckoutStarted
	case StorefrontContactSubmitted:
		return StageContactSubmitted
	case StorefrontAddressSubmitted:
		return StageAddressSubmitted
	case StorefrontPaymentReached:
		return StagePaymentReached
	case StorefrontCompleted:
		return StageCompleted
	}
	return StageNone
}

// ParseStorefrontStage returns the stage whose Key is key.
func ParseStorefrontStage(key string) (StorefrontStage, bool) {
	for _, s := range StorefrontStages() {
		if s.Key() == key {
			return s, true
		}
	}
	return 0, false
}

// StorefrontStageOf returns the stage an event of that name marks, the
// one place that mapping lives: page_viewed → visited, product_viewed →
// viewed_product, product_added_to_cart → added_to_cart, checkout_started,
// checkout_contact_info_submitted → contact_submitted,
// checkout_address_info_submitted → address_submitted,
// checkout_shipping_info_submitted → payment_reached,
// payment_info_submitted → payment_submitted, checkout_completed →
// completed. Other names mark none (false).
func StorefrontStageOf(name string) (StorefrontStage, bool) {
	switch name {
	case EventPageViewed:
		return StorefrontVisited, true
	case EventProductViewed:
		return StorefrontViewedProduct, true
	case EventProductAddedToCart:
		return StorefrontAddedToCart, true
	case EventCheckoutStarted:
		return StorefrontCheckoutStarted, true
	case EventContactInfoSubmitted:
		return StorefrontContactSubmitted, true
	case EventAddressInfoSubmitted:
		return StorefrontAddressSubmitted, true
	case EventShippingInfoSubmitted:
		return StorefrontPaymentReached, true
	case EventPaymentInfoSubmitted:
		return StorefrontPaymentSubmitted, true
	case EventCheckoutCompleted:
		return StorefrontCompleted, true
	}
	return 0, false
}
