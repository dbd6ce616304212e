package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// PaymentSessions returns the shop's sessions started in [start, end)
// (sessionsIn) that reached payment or completed, each with what the
// pixel's visits that carried its cart or checkout token know of its
// payment (funnel.PaymentSessionOf): the report's payment section is
// built of them (funnel.BuildPaymentFriction). It reads grouped rows, each
// standing for N sessions: those no visit carried a token of (all of a
// shop without the pixel) by country, gateway and completion, and the
// others by what PaymentSessionOf makes of them, from the payment facts
// each visit's tokens hold (visitPaymentFacts, migration 00045). Only the
// sessions whose visits saw a payment error are read one by one, their
// error stages from those visits' pay_errors.
//
// A visit is matched by token whatever the kind it carried the token as
// (visit_tokens keeps a token once per visit): cart and checkout tokens
// never share a value.
func (s *Store) PaymentSessions(ctx context.Context, shopID int64, start, end time.Time) ([]funnel.PaymentSession, error) {
	where, args := sessionsIn(shopID, start, end)
	where += " AND (" + funnel.StagePaymentReached.Key() + "_at IS NOT NULL OR completed_at IS NOT NULL)"
	pixel, joined, err := s.pixelPaymentSessions(ctx, where, args)
	if err != nil {
		return nil, fmt.Errorf("store: grouping the pixel's sessions at payment of shop %d: %w", shopID, err)
	}
	var groups []struct {
		Country, Gateway string
		Completed        bool
		N                int64
	}
	err = s.db(ctx).Raw(`SELECT country, gateway, completed_at IS NOT NULL AS completed, COUNT(*) AS n FROM sessions
		WHERE `+where+` GROUP BY country, gateway, completed_at IS NOT NULL
		ORDER BY country, gateway, completed`, args...).Scan(&groups).Error
	if err != nil {
		return nil, fmt.Errorf("store: counting the sessions at payment of shop %d: %w", shopID, err)
	}
	var out []funnel.PaymentSession
	for _, g := range groups {
		// The sessions no visit joined: all of the group but the pixel's.
		n := g.N - joined[sessionGroup{g.Country, g.Gateway, g.Completed}]
		if n <= 0 {
			continue
		}
		ss := funnel.Session{Country: g.Country, Gateway: g.Gateway}
		p := funnel.PaymentSessionOf(ss, nil)
		p.N, p.Completed = n, g.Completed
		out = append(out, p)
	}
	return append(out, pixel...), nil
}

// sessionVisits is the SQL of the pairs (sid, visit_id) of the sessions
// that match where and the visits that carried their cart or checkout
// token, with the visit's payment facts (pay_*, copied beside each of its
// tokens), each pair once (a visit that carried both tokens too); an empty
// token joins nothing. Its arguments are where's twice.
func sessionVisits(where string) string {
	half := func(col string) string {
		return `SELECT s.id AS sid, vt.visit_id, vt.pay_submitted, vt.pay_from_ns, vt.pay_from_id, vt.pay_method, vt.pay_gateway,
			vt.pay_errors FROM (SELECT id, shop_id, ` + col + ` FROM sessions WHERE ` + where + ` AND ` + col + ` <> '') s
			JOIN visit_tokens vt ON vt.shop_id = s.shop_id AND vt.token = s.` + col
	}
	return half("cart_token") + " UNION " + half("checkout_token")
}

// pixelPaymentSessions groups the sessions that match where and that a
// visit joined by what funnel.PaymentSessionOf makes of them: the union of
// their visits' facts (submitted if one visit submitted; the method, and
// the gateway when the session has none, of the visit whose payment event
// is earliest), device and country as SegmentValue. A session whose visits
// saw payment errors is a row of its own, its error stages read after. It
// also returns how many of them each group of the session's own country,
// gateway and completion holds.
func (s *Store) pixelPaymentSessions(ctx context.Context, where string, args []any) ([]funnel.PaymentSession, map[sessionGroup]int64, error) {
	sv := sessionVisits(where)
	svArgs := slices.Concat(args, args)
	q := `WITH sv AS (` + sv + `),
		ps AS (SELECT sid, MAX(CASE WHEN pay_submitted THEN 1 ELSE 0 END) AS submitted,
				MAX(CASE WHEN pay_errors <> '' THEN 1 ELSE 0 END) AS errs
			FROM sv GROUP BY sid),
		pf AS (SELECT sid, pay_method, pay_gateway FROM (SELECT sid, pay_method, pay_gateway,
				ROW_NUMBER() OVER (PARTITION BY sid ORDER BY pay_from_ns, pay_from_id) AS rn
			FROM sv WHERE pay_from_ns IS NOT NULL) f WHERE rn = 1),
		one AS (SELECT CASE WHEN ps.errs = 1 THEN sessions.id ELSE 0 END AS id,
				` + segmentExpr(funnel.SegmentDevice) + ` AS device, ` + segmentExpr(funnel.SegmentCountry) + ` AS country,
				CASE WHEN sessions.gateway <> '' THEN sessions.gateway ELSE COALESCE(pf.pay_gateway, '') END AS gateway,
				COALESCE(pf.pay_method, '') AS method, CASE WHEN sessions.completed_at IS NULL THEN 0 ELSE 1 END AS completed,
				ps.submitted, sessions.country AS own_country, sessions.gateway AS own_gateway
			FROM sessions JOIN ps ON ps.sid = sessions.id LEFT JOIN pf ON pf.sid = sessions.id)
		SELECT id, device, country, gateway, method, completed, submitted, own_country, own_gateway, COUNT(*) AS n FROM one
		GROUP BY id, device, country, gateway, method, completed, submitted, own_country, own_gateway
		ORDER BY id, device, country, gateway, method, completed, submitted, own_country, own_gateway`
	var rows []paymentGroup
	if err := s.db(ctx).Raw(q, svArgs...).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	steps := map[int64][]funnel.StorefrontStage{}
	if slices.ContainsFunc(rows, func(r paymentGroup) bool {
		return r.ID != 0
	}) {
		var errs []struct {
			SID       int64  `gorm:"column:sid"`
			PayErrors string `gorm:"column:pay_errors"`
		}
		err := s.db(ctx).Raw(`WITH sv AS (`+sv+`) SELECT sid, pay_errors FROM sv WHERE pay_errors <> ''`, svArgs...).Scan(&errs).Error
		if err != nil {
			return nil, nil, err
		}
		for _, e := range errs {
			st, err := decodePaymentErrors(e.PayErrors)
			if err != nil {
				return nil, nil, fmt.Errorf("session %d: %w", e.SID, err)
			}
			steps[e.SID] = append(steps[e.SID], st...)
		}
	}
	out := make([]funnel.PaymentSession, 0, len(rows))
	joined := map[sessionGroup]int64{}
	for _, r := range rows {
		joined[sessionGroup{r.OwnCountry, r.OwnGateway, r.Completed == 1}] += r.N
		p := funnel.PaymentSession{N: r.N, Completed: r.Completed == 1, Device: r.Device, Country: r.Country,
			Gateway: r.Gateway, Method: r.Method, Pixel: true, Submitted: r.Submitted == 1}
		if r.ID != 0 {
			p.ErrorSteps = steps[r.ID]
			slices.Sort(p.ErrorSteps)
		}
		out = append(out, p)
	}
	return out, joined, nil
}

// paymentGroup is a row of pixelPaymentSessions: ID is the session's when
// its visits saw payment errors (a row of its own), else 0.
type paymentGroup struct {
	ID                               int64
	Device, Country, Gateway, Method string
	Completed, Submitted             int
	// OwnCountry and OwnGateway are the sessions' own columns.
	OwnCountry, OwnGateway string
	N                      int64
}

// sessionGroup is a group of sessions by their own country, gateway and
// completion.
type sessionGroup struct {
	country, gateway string
	completed        bool
}
