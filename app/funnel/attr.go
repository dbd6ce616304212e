package funnel

import (
	"cmp"
	"strings"
	"time"
)

// Attr names one of a session's attributes: a detail that some events
// report and others leave out (an order may carry no e-mail, a checkout
// before its address step no country). Each attribute is kept on its own:
// the latest non-empty value any event reported, so an event that lacks
// the field never erases it.
type Attr int

// The session attributes. The customer type is "new" or "returning" (see
// CustomerNew), or empty while no payload said.
const (
	AttrEmail Attr = iota
	AttrPhone
	AttrCountry
	AttrLandingSite
	AttrReferringSite
	AttrSource
	AttrGateway
	AttrRecoveryURL
	AttrCustomerType
	attrCount
)

// The values of AttrCustomerType.
const (
	CustomerNew       = "new"
	CustomerReturning = "returning"
)

// Attrs returns every attribute, in a fixed order. The slice is new on
// every call.
func Attrs() []Attr {
	out := make([]Attr, attrCount)
	for i := range out {
		out[i] = Attr(i)
	}
	return out
}

// Key returns the attribute's stable name, as the store writes it; "" for
// a value outside Attrs.
func (a Attr) Key() string {
	switch a {
	case AttrEmail:
		return "email"
	case AttrPhone:
		return "phone"
	case AttrCountry:
		return "country"
	case AttrLandingSite:
		return "landing_site"
	case AttrReferringSite:
		return "referring_site"
	case AttrSource:
		return "source_name"
	case AttrGateway:
		return "gateway"
	case AttrRecoveryURL:
		return "recovery_url"
	case AttrCustomerType:
		return "customer_type"
	}
	return ""
}

// ParseAttr returns the attribute whose Key is key.
func ParseAttr(key string) (Attr, bool) {
	for _, a := range Attrs() {
		if a.Key() == key {
			return a, true
		}
	}
	return 0, false
}

// Stamp says which snapshot an attribute's value came from: its time, then
// its kind's rank to break ties (an order knows more than its checkout).
type Stamp struct {
	At   time.Time
	Rank int
}

// Attribute is one attribute's value with the stamp of the snapshot that
// reported it; an empty Value means no event reported one.
type Attribute struct {
	Value string
	Seen  Stamp
}

// compareAttribute is the total order Merge keeps the greatest of: any
// value beats none, then the newer snapshot, then the higher rank, then the
// value itself, so that two snapshots of one instant resolve the same way
// in any order.
func compareAttribute(a, b Attribute) int {
	return cmp.Or(
		compareBool(a.Value != "", b.Value != ""),
		a.Seen.At.Compare(b.Seen.At),
		cmp.Compare(a.Seen.Rank, b.Seen.Rank),
		strings.Compare(a.Value, b.Value),
	)
}

// Attr returns the session's value of a, with the stamp it came from.
func (s Session) Attr(a Attr) Attribute {
	if a < 0 || a >= attrCount {
		return Attribute{}
	}
	return Attribute{Value: s.attrValue(a), Seen: s.AttrSeen[a]}
}

// SetAttr sets the session's value of a with its stamp; an empty value
// clears both (a session built from stored columns uses it).
func (s *Session) SetAttr(a Attr, v Attribute) {
	if a < 0 || a >= attrCount {
		return
	}
	if v.Value == "" {
		v.Seen = Stamp{}
	}
	v.Seen.At = v.Seen.At.UTC()
	s.AttrSeen[a] = v.Seen
	s.setAttrValue(a, v.Value)
}

// attrValue reads a's field.
func (s Session) attrValue(a Attr) string {
	if a == AttrCustomerType {
		return customerType(s.Returning, s.ReturningKnown)
	}
	return *s.attrField(a)
}

// setAttrValue writes a's field.
func (s *Session) setAttrValue(a Attr, v string) {
	if a == AttrCustomerType {
		s.ReturningKnown = v != ""
		s.Returning = v == CustomerReturning
		return
	}
	*s.attrField(a) = v
}

// attrField returns the address of a's text field; AttrCustomerType has
// none (it is the Returning pair).
func (s *Session) attrField(a Attr) *string {
	switch a {
	case AttrEmail:
		return &s.Email
	case AttrPhone:
		return &s.Phone
	case AttrCountry:
		return &s.Country
	case AttrLandingSite:
		return &s.LandingSite
	case AttrReferringSite:
		return &s.ReferringSite
	case AttrSource:
		return &s.SourceName
	case AttrGateway:
		return &s.Gateway
	case AttrRecoveryURL:
		return &s.RecoveryURL
	}
	panic("funnel: no field for attribute " + a.Key())
}

// attrs returns the values e reports, indexed by Attr.
func (e Event) attrs() [attrCount]string {
	return [attrCount]string{
		AttrEmail: e.Email, AttrPhone: e.Phone, AttrCountry: e.Country,
		AttrLandingSite: e.LandingSite, AttrReferringSite: e.ReferringSite, AttrSource: e.SourceName,
		AttrGateway: e.Gateway, AttrRecoveryURL: e.RecoveryURL,
		AttrCustomerType: customerType(e.Returning, e.ReturningKnown),
	}
}

// customerType is the AttrCustomerType value of a Returning pair.
func customerType(returning, known bool) string {
	switch {
	case !known:
		return ""
	case returning:
		return CustomerReturning
	}
	return CustomerNew
}
