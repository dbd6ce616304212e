package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// paymentFactsVersion is the migration that adds the visits' payment
// facts (visitPaymentFacts); Migrate then fills them from the visits kept.
const paymentFactsVersion = 45

// visitPaymentFacts is what a visit contributes to funnel.PaymentSessionOf,
// as the pay_* columns of its visit_tokens rows hold it: whether it submitted payment (or
// completed), its earliest event that named a transaction (HasFrom, and
// then FromNs, Unix nanoseconds, and FromID) with that event's method and
// gateway, and the stage of each payment error alert it kept
// (encodePaymentErrors). It is comparable: a refold tells by == which
// token rows it changes (visitTokenRow).
type visitPaymentFacts struct {
	Submitted bool
	HasFrom   bool
	FromNs    int64
	FromID    string
	Method    string
	Gateway   string
	Errors    string
}

// paymentFactsOf is v's payment facts, by the rules of
// funnel.PaymentSessionOf.
func paymentFactsOf(v funnel.Visit) visitPaymentFacts {
	f := visitPaymentFacts{
		Submitted: !v.Stages[funnel.StorefrontPaymentSubmitted].IsZero() || !v.Stages[funnel.StorefrontCompleted].IsZero(),
	}
	if !v.PaymentFrom.IsZero() {
		f.HasFrom, f.FromNs, f.FromID, f.Method, f.Gateway = true, v.PaymentFrom.At.UnixNano(), v.PaymentFrom.ID, v.PaymentMethod, v.Gateway
	}
	steps := make([]funnel.StorefrontStage, len(v.PaymentErrors))
	for i, k := range v.PaymentErrors {
		steps[i] = v.PaymentErrorStage(k)
	}
	f.Errors = encodePaymentErrors(steps)
	return f
}

// encodePaymentErrors is steps as pay_errors holds them: decimal stage
// numbers joined by commas, "" when none.
func encodePaymentErrors(steps []funnel.StorefrontStage) string {
	parts := make([]string, len(steps))
	for i, st := range steps {
		parts[i] = strconv.Itoa(int(st))
	}
	return strings.Join(parts, ",")
}

// decodePaymentErrors reads a pay_errors value back.
func decodePaymentErrors(s string) ([]funnel.StorefrontStage, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]funnel.StorefrontStage, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("reading payment error stages %q: %w", s, err)
		}
		out[i] = funnel.StorefrontStage(n)
	}
	return out, nil
}

// fillAllVisitPaymentFacts fills every kept visit's payment facts from its
// summary, beside its tokens: what migration 00045, which adds them,
// cannot do in SQL (the rules are the domain's, in Go). Only the visits
// with a token whose facts are not the columns' defaults are written.
func (s *Store) fillAllVisitPaymentFacts(ctx context.Context) error {
	return s.forEachShopWithVisits(ctx, func(id int64) error {
		err := s.db(ctx).Transaction(func(tx *gorm.DB) error { return fillVisitPaymentFacts(tx, id) })
		if err != nil {
			return fmt.Errorf("store: filling the payment facts of the visits of shop %d: %w", id, err)
		}
		return nil
	})
}

// fillVisitPaymentFacts fills the payment facts of the shop's visits in
// the transaction tx: one scan of the summaries, then one update per visit
// that has any.
func fillVisitPaymentFacts(tx *gorm.DB, shopID int64) error {
	rows, err := tx.Raw(`SELECT id, summary FROM visits v WHERE shop_id = ?
		AND EXISTS (SELECT 1 FROM visit_tokens vt WHERE vt.shop_id = v.shop_id AND vt.visit_id = v.id) ORDER BY id`, shopID).Rows()
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	type fill struct {
		id int64
		f  visitPaymentFacts
	}
	var fills []fill
	var r visitRow
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.Summary); err != nil {
			return err
		}
		v, err := r.visit()
		if err != nil {
			return err
		}
		if f := paymentFactsOf(v); f != (visitPaymentFacts{}) {
			fills = append(fills, fill{r.ID, f})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, x := range fills {
		err := tx.Exec(`UPDATE visit_tokens SET pay_submitted = ?, pay_from_ns = ?, pay_from_id = ?, pay_method = ?, pay_gateway = ?,
			pay_errors = ? WHERE shop_id = ? AND visit_id = ?`, append(x.f.values(), shopID, x.id)...).Error
		if err != nil {
			return fmt.Errorf("writing the payment facts of visit %d: %w", x.id, err)
		}
	}
	return nil
}

// visitPaymentColumns is the visit_tokens columns of a visit's payment
// facts, in the order of visitPaymentFacts.values.
var visitPaymentColumns = []string{"pay_submitted", "pay_from_ns", "pay_from_id", "pay_method", "pay_gateway", "pay_errors"}

// values is f's values of visitPaymentColumns: pay_from_ns NULL when the
// visit named no transaction.
func (f visitPaymentFacts) values() []any {
	var from *int64
	if f.HasFrom {
		from = &f.FromNs
	}
	return []any{f.Submitted, from, f.FromID, f.Method, f.Gateway, f.Errors}
}
