package funnel

import "slices"

// FromEvent returns the session that e alone describes. Merging it into a
// session is how e is applied, so that replaying events in any order, with
// any duplicates, rebuilds the same session. An event of unknown kind
// describes nothing and yields the zero Session, which Merge ignores.
func FromEvent(e Event) Session {
	if !e.Kind.Valid() {
		return Session{}
	}
	s := Session{
		Key:           KeyOf(e),
		CartToken:     e.CartToken,
		CheckoutToken: e.CheckoutToken,
		StartedAt:     e.bornAt(),
		LastActivity:  latest(e.CreatedAt.UTC(), e.UpdatedAt.UTC()),
	}
	for st, at := range e.Reached() {
		*s.stageField(st) = &at
	}
	if e.CompletedAt != nil {
		s.LastActivity = latest(s.LastActivity, e.CompletedAt.UTC())
	}
	if e.HasItems() {
		s.setContent(content{
			At:        e.seenAt(),
			Rank:      e.Kind.Rank(),
			Value:     e.Value,
			Currency:  e.Currency,
			ItemCount: e.ItemCount,
			LineItems: slices.Clone(e.LineItems),
		})
	}
	// Carts have no customer or attribution fields; only checkouts and
	// orders speak for the attributes.
	if e.Kind != KindCart {
		seen := Stamp{At: e.seenAt(), Rank: e.Kind.Rank()}
		for at, v := range e.attrs() {
			s.SetAttr(Attr(at), Attribute{Value: v, Seen: seen})
		}
	}
	return s.canonical()
}

// Apply returns s with e applied; it is Merge(s, FromEvent(e)), and so
// idempotent and insensitive to the order events arrive in.
func (s Session) Apply(e Event) Session {
	return Merge(s, FromEvent(e))
}
