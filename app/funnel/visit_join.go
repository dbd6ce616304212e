package funnel

import (
	"slices"
	"strings"
	"time"
)

// VisitToken is a cart or checkout token a visit carried, with the facts of
// that visit a funnel session takes from it.
type VisitToken struct {
	Token           string
	Start           time.Time
	Device          Device
	LandingPageType PageType
}

// JoinVisit returns the visit a session joins, of the visits that carried
// its cart or checkout token: the one that started first (ties broken by
// device, then landing page type, so that the choice never depends on the
// order rows were written). ok is false when none carried either token.
// It is the rule the store's SQL join follows (store.visitJoinExpr).
func JoinVisit(s Session, tokens []VisitToken) (VisitToken, bool) {
	var match []VisitToken
	for _, t := range tokens {
		if t.Token != "" && (t.Token == s.CartToken || t.Token == s.CheckoutToken) {
			match = append(match, t)
		}
	}
	if len(match) == 0 {
		return VisitToken{}, false
	}
	return slices.MinFunc(match, func(a, b VisitToken) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Device), string(b.Device)); c != 0 {
			return c
		}
		return strings.Compare(string(a.LandingPageType), string(b.LandingPageType))
	}), true
}
