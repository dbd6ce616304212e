package funnel

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Merge returns the join of two sessions of the same journey. It is
// commutative, associative and idempotent, and the zero Session is its
// identity, so folding any permutation of any multiset of events gives the
// same Session, field by field:
//
//   - tokens: a non-empty token beats an empty one; two different ones
//     resolve to the lexicographically smaller; Key follows the tokens;
//   - StartedAt and stage times: the earliest known (a zero time counts as
//     unknown and loses to any real one); completion is therefore sticky;
//   - LastActivity: the latest;
//   - contents: the group whole from its newest snapshot, ordered by time,
//     then kind rank, then the values themselves;
//   - attributes (Attr): each on its own, the greatest by compareAttribute:
//     any value beats none, then the newest snapshot, its rank, the value;
//   - AbandonedAt: the earliest.
//
// The result is canonical: times in UTC without monotonic readings, fresh
// pointers and slices shared with neither argument, empty LineItems as nil.
// Merge(s, Session{}) is therefore how to bring a session built elsewhere
// (say, loaded from the database) into the same form.
func Merge(a, b Session) Session {
	a, b = a.canonical(), b.canonical()
	m := Session{
		CartToken:     minNonEmpty(a.CartToken, b.CartToken),
		CheckoutToken: minNonEmpty(a.CheckoutToken, b.CheckoutToken),
		StartedAt:     earliest(a.StartedAt, b.StartedAt),
		LastActivity:  latest(a.LastActivity, b.LastActivity),
		AbandonedAt:   earliestPtr(a.AbandonedAt, b.AbandonedAt),
	}
	m.Key = sessionKey(m.CartToken, m.CheckoutToken)
	for _, st := range Stages() {
		*m.stageField(st) = earliestPtr(*a.stageField(st), *b.stageField(st))
	}
	ca, cb := a.content(), b.content()
	if compareContent(ca, cb) >= 0 {
		m.setContent(ca)
	} else {
		m.setContent(cb)
	}
	for _, at := range Attrs() {
		x, y := a.Attr(at), b.Attr(at)
		if compareAttribute(x, y) < 0 {
			x = y
		}
		m.SetAttr(at, x)
	}
	return m
}

// canonical returns a copy of s in the form Merge produces, so that Merge
// can be idempotent: equal instants in different locations, or with and
// without monotonic readings, would otherwise compare unequal field by field.
func (s Session) canonical() Session {
	c := s
	c.Key = sessionKey(s.CartToken, s.CheckoutToken)
	c.StartedAt = s.StartedAt.UTC()
	c.LastActivity = latest(s.LastActivity, s.StartedAt)
	c.ContentAt = s.ContentAt.UTC()
	for _, at := range Attrs() {
		c.SetAttr(at, s.Attr(at))
	}
	c.AbandonedAt = clonePtr(s.AbandonedAt)
	for _, st := range Stages() {
		f := c.stageField(st)
		*f = clonePtr(*f)
		if *f != nil {
			// A session starts no later, and was last active no earlier,
			// than any stage it reached.
			c.StartedAt = earliest(c.StartedAt, **f)
			c.LastActivity = latest(c.LastActivity, **f)
		}
	}
	if len(s.LineItems) == 0 {
		c.LineItems = nil
	} else {
		c.LineItems = slices.Clone(s.LineItems)
	}
	return c
}

// stageField returns the address of the field holding st's time, so that
// every stage can be handled in one loop.
func (s *Session) stageField(st Stage) **time.Time {
	switch st {
	case StageAddedToCart:
		return &s.AddedToCartAt
	case StageCheckoutStarted:
		return &s.CheckoutStartedAt
	case StageContactSubmitted:
		return &s.ContactSubmittedAt
	case StageAddressSubmitted:
		return &s.AddressSubmittedAt
	case StagePaymentReached:
		return &s.PaymentReachedAt
	case StageCompleted:
		return &s.CompletedAt
	}
	panic("funnel: no field for stage " + st.String())
}

// content is the group of Session fields taken whole from one snapshot:
// mixing the value of one snapshot with the lines of another would show the
// merchant a cart that never existed.
type content struct {
	At        time.Time
	Rank      int
	Value     int64
	Currency  string
	ItemCount int
	LineItems []LineItem
}

func (s Session) content() content {
	return content{s.ContentAt, s.ContentRank, s.Value, s.Currency, s.ItemCount, s.LineItems}
}

func (s *Session) setContent(c content) {
	s.ContentAt, s.ContentRank = c.At.UTC(), c.Rank
	s.Value, s.Currency, s.ItemCount = c.Value, c.Currency, c.ItemCount
	s.LineItems = nil
	if len(c.LineItems) > 0 {
		s.LineItems = slices.Clone(c.LineItems)
	}
}

// compareContent is a total order on contents, newest last. The value
// comparisons after time and rank exist only so that two different
// snapshots of the same instant resolve the same way whatever order they
// arrive in.
func compareContent(a, b content) int {
	return cmp.Or(
		// No content at all must lose even to a snapshot with a negative
		// value and no time, or the zero Session would not be the identity.
		compareBool(a.present(), b.present()),
		a.At.Compare(b.At),
		cmp.Compare(a.Rank, b.Rank),
		cmp.Compare(a.Value, b.Value),
		strings.Compare(a.Currency, b.Currency),
		cmp.Compare(a.ItemCount, b.ItemCount),
		slices.CompareFunc(a.LineItems, b.LineItems, compareLineItem),
	)
}

func (c content) present() bool {
	return !c.At.IsZero() || c.Rank != 0 || c.Value != 0 || c.Currency != "" || c.ItemCount != 0 || len(c.LineItems) > 0
}

func compareLineItem(a, b LineItem) int {
	return cmp.Or(strings.Compare(a.Title, b.Title), cmp.Compare(a.Quantity, b.Quantity))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// minNonEmpty joins two tokens: any token beats none, and the smaller of two
// different ones wins so that the result does not depend on argument order.
func minNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return min(a, b)
}

// earliest returns the earlier of two times in UTC, treating the zero time
// as unknown: it loses to any real time.
func earliest(a, b time.Time) time.Time {
	a, b = a.UTC(), b.UTC()
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	case b.Before(a):
		return b
	}
	return a
}

// latest returns the later of two times in UTC; the zero time is the
// earliest of all, so it loses naturally.
func latest(a, b time.Time) time.Time {
	a, b = a.UTC(), b.UTC()
	if b.After(a) {
		return b
	}
	return a
}

// earliestPtr is earliest for optional times: nil means not reached, and a
// reached time, even an unknown one, beats nil. The result is a fresh pointer.
func earliestPtr(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return clonePtr(b)
	case b == nil:
		return clonePtr(a)
	}
	t := earliest(*a, *b)
	return &t
}

func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
