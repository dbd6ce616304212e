package app

import (
	"context"
	"fmt"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// addPayment sets resp's payment block (funnel.BuildPaymentFriction) for a
// report of all shoppers, once a session of the range has reached payment;
// it stays null before, and for one segment value's report (whose payment
// figures would be a part of a part).
func (a *App) addPayment(ctx context.Context, q reportRequest, resp *funnelResponse) error {
	if q.SegmentValue != "" {
		return nil
	}
	sessions, err := a.store.PaymentSessions(ctx, q.Shop.ID, q.Days.Start(), q.Days.End())
	if err != nil {
		return fmt.Errorf("app: the payment section of shop %d: %w", q.Shop.ID, err)
	}
	if len(sessions) == 0 {
		return nil
	}
	aov, err := funnel.ParseMoney(resp.AverageOrderValue)
	if err != nil {
		aov = 0 // no order value yet: nothing is priced, as in "what to fix first"
	}
	p := funnel.BuildPaymentFriction(sessions, aov, resp.Elapsed)
	resp.Payment = &p
	return nil
}
