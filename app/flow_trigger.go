package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// flowSender fires the app's Shopify Flow triggers for the alert jobs
// (alerts.FlowSender) with the shop's admin token.
type flowSender struct{ app *App }

// TriggerFlow calls flowTriggerReceive on shop. A shop whose token Shopify
// no longer accepts is marked as needing re-authorization and the error
// wraps alerts.ErrFlowReauthorize; a trigger Shopify refuses wraps
// alerts.ErrFlowRefused; other failures are worth another attempt.
func (f flowSender) TriggerFlow(ctx context.Context, shop store.Shop, handle string, payload map[string]any) error {
	a := f.app
	token, err := a.adminToken(ctx, shop)
	if errors.Is(err, errNeedsReauth) {
		return fmt.Errorf("%w: %w", alerts.ErrFlowReauthorize, err)
	}
	if err != nil {
		return err
	}
	err = a.shopify.FlowTriggerReceive(ctx, shop.Domain, token, handle, payload)
	var refused *shopify.FlowTriggerError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, shopify.ErrReauthorize):
		return fmt.Errorf("%w: %w", alerts.ErrFlowReauthorize, a.markNeedsReauth(ctx, shop, err))
	case errors.As(err, &refused):
		return fmt.Errorf("%w: %w", alerts.ErrFlowRefused, err)
	}
	return fmt.Errorf("app: firing Flow trigger %s on %s: %w", handle, shop.Domain, err)
}
