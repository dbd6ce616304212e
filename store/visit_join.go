package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// visitJoinExpr is the SQL of funnel.JoinVisit for a sessions row: the
// column col (device or landing_page_type) of the earliest visit that
// carried the session's cart or checkout token, or NULL when none did.
// Joined at read time, it gives the same answer whether the webhooks or
// the pixel's events arrived first.
func visitJoinExpr(col string) string {
	return "(SELECT vt." + col + " FROM visit_tokens vt WHERE vt.shop_id = sessions.shop_id" +
		" AND vt.token IN (sessions.cart_token, sessions.checkout_token)" +
		" ORDER BY vt.started_at, vt.device, vt.landing_page_type LIMIT 1)"
}

// joinVisits sets each session's Device and LandingPageType from the visit
// it joins (funnel.JoinVisit), reading the visit tokens of all their cart
// and checkout tokens at once.
func (s *Store) joinVisits(ctx context.Context, shopID int64, sessions []funnel.Session) error {
	var tokens []string
	for _, ss := range sessions {
		for _, t := range []string{ss.CartToken, ss.CheckoutToken} {
			if t != "" {
				tokens = append(tokens, t)
			}
		}
	}
	if len(tokens) == 0 {
		return nil
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)
	var found []funnel.VisitToken
	for chunk := range slices.Chunk(tokens, 500) {
		var rows []struct {
			Token           string
			StartedAt       time.Time
			Device          string
			LandingPageType string
		}
		err := s.db(ctx).Raw(`SELECT token, started_at, device, landing_page_type FROM visit_tokens
			WHERE shop_id = ? AND token IN ?`, shopID, chunk).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("store: joining visits to sessions of shop %d: %w", shopID, err)
		}
		for _, r := range rows {
			found = append(found, funnel.VisitToken{Token: r.Token, Start: r.StartedAt.UTC(),
				Device: funnel.Device(r.Device), LandingPageType: funnel.PageType(r.LandingPageType)})
		}
	}
	for i := range sessions {
		if v, ok := funnel.JoinVisit(sessions[i], found); ok {
			sessions[i].Device, sessions[i].LandingPageType = v.Device, v.LandingPageType
		}
	}
	return nil
}
