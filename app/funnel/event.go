package funnel

import "time"

// Valid reports whether k is one of the kinds of record the funnel reads.
func (k EventKind) Valid() bool {
	return k == KindCart || k == KindCheckout || k == KindOrder
}

// Rank breaks ties between snapshots taken at the same instant: an order
// knows more than the checkout it completed, and a checkout more than its
// cart. Unknown kinds rank 0.
func (k EventKind) Rank() int {
	switch k {
	case KindCart:
		return 1
	case KindCheckout:
		return 2
	case KindOrder:
		return 3
	}
	return 0
}

// KeyOf returns the key of the session e belongs to: its cart token when it
// has one, else its checkout token.
func KeyOf(e Event) string {
	return sessionKey(e.CartToken, e.CheckoutToken)
}

func sessionKey(cartToken, checkoutToken string) string {
	if cartToken != "" {
		return cartToken
	}
	return checkoutToken
}

// HasItems reports whether e carries cart contents. A parser may fill only
// the item count or only the lines, so either is enough.
func (e Event) HasItems() bool {
	return len(e.LineItems) > 0 || e.ItemCount > 0
}

// ContactGiven reports whether the checkout has an email or a phone number.
func (e Event) ContactGiven() bool {
	return e.Email != "" || e.Phone != ""
}

// Reached returns the stages e shows the shopper had reached, each with the
// earliest time the payload supports. Carts show only added_to_cart; the
// intermediate checkout steps are read only from checkouts, because an order
// says nothing about which steps its checkout went through (express
// checkouts skip them), and a completed session is backfilled instead.
// Times are in UTC. Unknown kinds reach nothing.
func (e Event) Reached() map[Stage]time.Time {
	r := make(map[Stage]time.Time)
	born, seen := e.bornAt(), e.seenAt()
	switch e.Kind {
	case KindCart:
		if e.HasItems() {
			r[StageAddedToCart] = born
		}
	case KindCheckout:
		r[StageCheckoutStarted] = born
		// A snapshot proves a step was done by its updated_at, not when.
		contact := e.ContactGiven()
		if contact {
			r[StageContactSubmitted] = seen
		}
		if e.HasShippingAddress || (!e.RequiresShipping && e.HasBillingAddress) {
			r[StageAddressSubmitted] = seen
		}
		if contact && ((e.RequiresShipping && e.HasShippingLine) || (!e.RequiresShipping && e.HasBillingAddress)) {
			r[StagePaymentReached] = seen
		}
		if e.CompletedAt != nil {
			r[StageCompleted] = e.completedAt()
		}
	case KindOrder:
		done := born
		if e.CompletedAt != nil {
			done = earliest(done, e.completedAt())
		}
		r[StageCompleted] = done
	}
	return r
}

// bornAt is when the record was created, falling back to its last update
// when the payload lacks created_at.
func (e Event) bornAt() time.Time {
	if !e.CreatedAt.IsZero() {
		return e.CreatedAt.UTC()
	}
	return e.UpdatedAt.UTC()
}

// seenAt is the time the snapshot describes: its last update, falling back
// to its creation.
func (e Event) seenAt() time.Time {
	if !e.UpdatedAt.IsZero() {
		return e.UpdatedAt.UTC()
	}
	return e.CreatedAt.UTC()
}

// completedAt is *CompletedAt, or the snapshot's own time when Shopify sent
// a completed_at we could not read as a time.
func (e Event) completedAt() time.Time {
	if e.CompletedAt != nil && !e.CompletedAt.IsZero() {
		return e.CompletedAt.UTC()
	}
	return e.seenAt()
}
