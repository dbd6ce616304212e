package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// PaymentSessionsByVisit is PaymentSessions as it was before migration
// 00045, kept as the oracle of the grouped read: it returns the shop's sessions started in [start, end)
// (sessionsIn) that reached payment or completed, each with what the
// pixel's visits that carried its cart or checkout token know of its
// payment (funnel.PaymentSessionOf): the report's payment section is
// built of them (funnel.BuildPaymentFriction). The sessions no visit
// carried a token of (all of a shop without the pixel) are read grouped
// by country, gateway and completion, so that a large shop's report reads
// a few rows, not every session; only the others are read one by one,
// with their visits.
func (s *Store) PaymentSessionsByVisit(ctx context.Context, shopID int64, start, end time.Time) ([]funnel.PaymentSession, error) {
	where, args := sessionsIn(shopID, start, end)
	where += " AND (" + funnel.StagePaymentReached.Key() + "_at IS NOT NULL OR completed_at IS NOT NULL)"
	const joined = `EXISTS (SELECT 1 FROM visit_tokens vt WHERE vt.shop_id = sessions.shop_id
		AND vt.token IN (sessions.cart_token, sessions.checkout_token))`
	var groups []struct {
		Country, Gateway string
		Completed        bool
		N                int64
	}
	err := s.db(ctx).Raw(`SELECT country, gateway, completed_at IS NOT NULL AS completed, COUNT(*) AS n FROM sessions
		WHERE `+where+` AND NOT `+joined+` GROUP BY country, gateway, completed_at IS NOT NULL
		ORDER BY country, gateway, completed`, args...).Scan(&groups).Error
	if err != nil {
		return nil, fmt.Errorf("store: counting the sessions at payment of shop %d: %w", shopID, err)
	}
	var out []funnel.PaymentSession
	for _, g := range groups {
		ss := funnel.Session{Country: g.Country, Gateway: g.Gateway}
		p := funnel.PaymentSessionOf(ss, nil)
		p.N, p.Completed = g.N, g.Completed
		out = append(out, p)
	}
	var rows []struct {
		CartToken, CheckoutToken, Country, Gateway string
		CompletedAt                                *time.Time
	}
	err = s.db(ctx).Raw(`SELECT cart_token, checkout_token, country, gateway, completed_at FROM sessions
		WHERE `+where+` AND `+joined+` ORDER BY id`, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: loading the sessions at payment of shop %d: %w", shopID, err)
	}
	sessions := make([]funnel.Session, len(rows))
	for i, r := range rows {
		sessions[i] = funnel.Session{CartToken: r.CartToken, CheckoutToken: r.CheckoutToken, CompletedAt: utcPtr(r.CompletedAt),
			Country: r.Country, Gateway: r.Gateway}
	}
	if err := s.joinVisits(ctx, shopID, sessions); err != nil {
		return nil, err
	}
	byToken, err := s.oldVisitsByToken(ctx, shopID, sessions)
	if err != nil {
		return nil, err
	}
	for _, ss := range sessions {
		var visits []funnel.Visit
		for _, t := range []string{ss.CartToken, ss.CheckoutToken} {
			if t != "" {
				visits = append(visits, byToken[t]...)
			}
		}
		out = append(out, funnel.PaymentSessionOf(ss, visits))
	}
	return out, nil
}

// oldVisitsByToken returns, by token, the shop's visits that carried one of
// the sessions' cart or checkout tokens.
func (s *Store) oldVisitsByToken(ctx context.Context, shopID int64, sessions []funnel.Session) (map[string][]funnel.Visit, error) {
	var tokens []string
	for _, ss := range sessions {
		for _, t := range []string{ss.CartToken, ss.CheckoutToken} {
			if t != "" {
				tokens = append(tokens, t)
			}
		}
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)
	out := map[string][]funnel.Visit{}
	for chunk := range slices.Chunk(tokens, 500) {
		var rows []struct {
			Token   string
			ID      int64
			Summary string
		}
		err := s.db(ctx).Raw(`SELECT vt.token, v.id, v.summary FROM visit_tokens vt
			JOIN visits v ON v.shop_id = vt.shop_id AND v.id = vt.visit_id
			WHERE vt.shop_id = ? AND vt.token IN ?`, shopID, chunk).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: loading the visits of sessions of shop %d: %w", shopID, err)
		}
		for _, r := range rows {
			v, err := (visitRow{ID: r.ID, Summary: r.Summary}).visit()
			if err != nil {
				return nil, fmt.Errorf("store: visits of shop %d: %w", shopID, err)
			}
			out[r.Token] = append(out[r.Token], v)
		}
	}
	return out, nil
}
