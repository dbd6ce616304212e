package app

import (
	"context"
	"fmt"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// ingestCompliance carries out the mandatory privacy topics. The erasures run
// before the delivery is recorded; both are idempotent, so a redelivery after
// a failure in between does the right thing. Kept compliance deliveries drop
// their payload: it names the very customer being erased.
func (a *App) ingestCompliance(ctx context.Context, d store.Delivery) (outcome, error) {
	payload := d.Payload
	d.Payload = nil
	switch d.Topic {
	case topicShopRedact:
		if _, err := shopify.ParseShopRedact(payload); err != nil {
			return a.keep(ctx, nil, d, err.Error())
		}
		if err := a.store.RedactShop(ctx, d.ShopDomain); err != nil {
			return "", err
		}
		a.log.InfoContext(ctx, "shop data erased", "shop", d.ShopDomain)
		return a.keep(ctx, nil, d, "")
	}

	shop, err := a.store.ShopByDomain(ctx, d.ShopDomain)
	if err != nil {
		return a.keepForShop(ctx, d, "shop holds no data here")
	}
	switch d.Topic {
	case topicCustomersRedact:
		req, err := shopify.ParseCustomersRedact(payload)
		if err != nil {
			return a.keep(ctx, &shop.ID, d, err.Error())
		}
		n, err := a.store.RedactCustomer(ctx, shop.ID, req.Customer.Email, req.Customer.Phone)
		if err != nil {
			return "", err
		}
		return a.keep(ctx, &shop.ID, d, fmt.Sprintf("erased the customer's details from %d sessions", n))
	default: // customers/data_request
		req, err := shopify.ParseCustomersDataRequest(payload)
		if err != nil {
			return a.keep(ctx, &shop.ID, d, err.Error())
		}
		sessions, err := a.store.CustomerData(ctx, shop.ID, req.Customer.Email, req.Customer.Phone)
		if err != nil {
			return "", err
		}
		return a.keep(ctx, &shop.ID, d, fmt.Sprintf("data request: %d funnel sessions hold this customer's contact details", len(sessions)))
	}
}
