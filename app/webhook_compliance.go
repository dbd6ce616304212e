package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// ingestCompliance carries out the mandatory privacy topics for the shop
// their signed body names, which ingest has decided (deliveryShop) and put
// in d.ShopDomain. The erasures run before the delivery is recorded; both
// are idempotent, so a redelivery after a failure in between does the right
// thing. Kept compliance deliveries drop their payload (keep): it names the
// very customer being erased. The text of the parsed payload is storable
// (no NUL, valid UTF-8), so what the topics store from it is too.
func (a *App) ingestCompliance(ctx context.Context, d store.Delivery) (outcome, error) {
	payload := d.Payload
	switch d.Topic {
	case topicShopRedact:
		if _, err := shopify.ParseShopRedact(payload); err != nil {
			return a.keep(ctx, nil, d, err.Error())
		}
		if err := a.store.RedactShop(ctx, d.ShopDomain); err != nil {
			return "", err
		}
		a.shops.forget(d.ShopDomain)
		a.log.InfoContext(ctx, "shop data erased", "shop", d.ShopDomain)
		return a.keep(ctx, nil, d, "")
	}

	shop, err := a.store.ShopByDomain(ctx, d.ShopDomain)
	if errors.Is(err, store.ErrNotFound) {
		return a.keep(ctx, nil, d, "shop holds no data here")
	}
	if err != nil {
		return "", err
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
		n, err := a.saveDataRequest(ctx, shop, req)
		if err != nil {
			return "", err
		}
		return a.keep(ctx, &shop.ID, d, fmt.Sprintf("data request: %d funnel sessions hold this customer's details; the report is in the app's settings", n))
	}
}

// dataRequestReport is what the merchant passes on to a customer who asked
// what the app holds about them.
type dataRequestReport struct {
	Shop            string        `json:"shop"`
	RequestID       int64         `json:"data_request_id"`
	Customer        any           `json:"customer"`
	OrdersRequested []int64       `json:"orders_requested"`
	GeneratedAt     time.Time     `json:"generated_at"`
	Sessions        []sessionJSON `json:"funnel_sessions"`
}

// saveDataRequest records the customer's funnel sessions as a report the
// merchant can download from the settings page.
func (a *App) saveDataRequest(ctx context.Context, shop store.Shop, req shopify.CustomersDataRequest) (int, error) {
	sessions, err := a.store.CustomerData(ctx, shop.ID, req.Customer.Email, req.Customer.Phone)
	if err != nil {
		return 0, err
	}
	idle, err := a.shopIdle(ctx, shop.ID)
	if err != nil {
		return 0, err
	}
	now := a.now()
	report := dataRequestReport{Shop: shop.Domain, RequestID: req.DataRequest.ID, Customer: req.Customer,
		OrdersRequested: req.OrdersRequested, GeneratedAt: now.UTC(), Sessions: []sessionJSON{}}
	for _, s := range sessions {
		report.Sessions = append(report.Sessions, toSessionJSON(s, now, idle))
	}
	body, err := json.Marshal(report)
	if err != nil {
		return 0, err
	}
	err = a.store.SaveDataRequest(ctx, store.DataRequest{ShopID: shop.ID, RequestID: req.DataRequest.ID,
		CustomerID: req.Customer.ID, Email: req.Customer.Email, Phone: req.Customer.Phone,
		Sessions: len(sessions), Report: body})
	return len(sessions), err
}
