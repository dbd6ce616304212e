package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// PaymentSessions returns the shop's sessions started in [start, end)
// (sessionsIn) that reached payment or completed, each with what the
// pixel's visits that carried its cart or checkout token know of its
// payment (funnel.PaymentSessionOf): the report's payment section is
// built of them (funnel.BuildPaymentFriction). It reads grouped rows, each
// standing for N sessions, both kept at write time: those a visit joined
// from session_payments (sessionPaymentsInsert) by what PaymentSessionOf
// makes of them, a session whose visits saw payment errors a row of its
// own; the others from payment_rollups (paymentDeltas) by country, gateway
// and completion, less the joined ones, with the sessions of a quarter the
// range only partly covers read from the sessions table.
func (s *Store) PaymentSessions(ctx context.Context, shopID int64, start, end time.Time) ([]funnel.PaymentSession, error) {
	where, args := sessionsIn(shopID, start, end)
	pixel, joined, err := s.pixelPaymentSessions(ctx, where, args)
	if err != nil {
		return nil, fmt.Errorf("store: grouping the pixel's sessions at payment of shop %d: %w", shopID, err)
	}
	groups, err := s.paymentGroups(ctx, shopID, start, end)
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

// paymentGroupRow is a group of the shop's sessions at payment by their
// own country, gateway and completion.
type paymentGroupRow struct {
	Country, Gateway string
	Completed        bool
	N                int64
}

// paymentGroups sums payment_rollups over [start, end) as a storefront
// report sums its rollups (planStorefront: whole UTC days, the quarters at
// the edges), the sessions of a quarter the range only partly covers
// counted from the sessions table. An open side reads from 1970 or up to
// 3000, which holds every session: the ingest keeps none before 2006 or
// more than a day ahead.
func (s *Store) paymentGroups(ctx context.Context, shopID int64, start, end time.Time) ([]paymentGroupRow, error) {
	if start.IsZero() {
		start = time.Unix(0, 0)
	}
	if end.IsZero() {
		end = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	plan := planStorefront(start, end)
	var parts []string
	var args []any
	if len(plan.ranges) > 0 {
		where, wargs := plan.where()
		parts = append(parts, `SELECT country, gateway, completed, sessions AS n FROM payment_rollups WHERE shop_id = ? AND `+where)
		args = append(append(args, shopID), wargs...)
	}
	for _, r := range plan.partial {
		in, inArgs := sessionsIn(shopID, r[0], r[1])
		parts = append(parts, `SELECT country, gateway, completed_at IS NOT NULL, 1 FROM sessions WHERE `+in+` AND `+atPayment)
		args = append(args, inArgs...)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	var groups []paymentGroupRow
	err := s.db(ctx).Raw(`SELECT country, gateway, completed, CAST(SUM(n) AS BIGINT) AS n FROM (`+strings.Join(parts, " UNION ALL ")+`) g
		GROUP BY country, gateway, completed ORDER BY country, gateway, completed`, args...).Scan(&groups).Error
	return groups, err
}

// pixelPaymentSessions groups the session_payments rows that match where
// by what they hold, a session whose visits saw payment errors a row of
// its own with its error stages. It also returns how many of them each
// group of the session's own country, gateway and completion holds.
func (s *Store) pixelPaymentSessions(ctx context.Context, where string, args []any) ([]funnel.PaymentSession, map[sessionGroup]int64, error) {
	// The sessions without errors grouped, the others one by one: a
	// GROUP BY that also keyed on the session's id for those planned a
	// sort of every row, where this one hashes.
	cols := `device, country, gateway, method, CASE WHEN completed THEN 1 ELSE 0 END AS completed,
		CASE WHEN submitted THEN 1 ELSE 0 END AS submitted, own_country, own_gateway`
	q := `SELECT 0 AS id, ` + cols + `, '' AS errors, COUNT(*) AS n FROM session_payments WHERE ` + where + ` AND errors = ''
		GROUP BY device, country, gateway, method, completed, submitted, own_country, own_gateway
		UNION ALL SELECT session_id, ` + cols + `, errors, 1 FROM session_payments WHERE ` + where + ` AND errors <> ''
		ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`
	args = slices.Concat(args, args)
	var rows []paymentGroup
	if err := s.db(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	out := make([]funnel.PaymentSession, 0, len(rows))
	joined := map[sessionGroup]int64{}
	for _, r := range rows {
		joined[sessionGroup{r.OwnCountry, r.OwnGateway, r.Completed == 1}] += r.N
		p := funnel.PaymentSession{N: r.N, Completed: r.Completed == 1, Device: r.Device, Country: r.Country,
			Gateway: r.Gateway, Method: r.Method, Pixel: true, Submitted: r.Submitted == 1}
		steps, err := decodePaymentErrors(r.Errors)
		if err != nil {
			return nil, nil, fmt.Errorf("session %d: %w", r.ID, err)
		}
		if len(steps) > 0 {
			slices.Sort(steps)
			p.ErrorSteps = steps
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
	// OwnCountry and OwnGateway are the sessions' own columns; Errors
	// their visits' payment error stages (encodePaymentErrors, in no
	// order).
	OwnCountry, OwnGateway, Errors string
	N                              int64
}

// sessionGroup is a group of sessions by their own country, gateway and
// completion.
type sessionGroup struct {
	country, gateway string
	completed        bool
}
