package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// ingestCompliance carries out the mandatory privacy topics for the shop
// their signed body names, which ingest has decided (deliveryShop) and put
// in d.ShopDomain. shop/redact erases before the delivery is recorded; it is
// idempotent, so a redelivery after a failure in between does the right
// thing. customers/redact and customers/data_request are kept with a job
// queued in the same transaction (compliance_jobs.go), which reads their
// payload and then drops it. Other kept compliance deliveries drop their
// payload (keep): it names the very customer. The text of the parsed
// payload is storable (no NUL, valid UTF-8), so what the topics store from
// it is too.
func (a *App) ingestCompliance(ctx context.Context, d store.Delivery) (outcome, error) {
	payload := d.Payload
	if d.Topic == shopify.TopicShopRedact {
		if _, err := shopify.ParseShopRedact(payload); err != nil {
			return a.keep(ctx, nil, d, err.Error())
		}
		if err := a.store.RedactShop(ctx, d.ShopDomain); err != nil {
			return "", err
		}
		a.forgetShop(d.ShopDomain)
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
	case shopify.TopicCustomersRedact:
		req, err := shopify.ParseCustomersRedact(payload)
		if err != nil {
			return a.keep(ctx, &shop.ID, d, err.Error())
		}
		if customerOf(req.Customer).Matcher().Empty() {
			return a.keep(ctx, &shop.ID, d, "the redaction names no customer id, e-mail or phone: nothing was erased")
		}
		// The payload stays until the erasure job has read it; the job
		// drops it. The job's arguments hold only the delivery's id.
		d.Payload = payload
		return a.keepPrivacyRequest(ctx, shop.ID, d, "customer erasure queued",
			func(id int64) river.JobArgs { return EraseCustomerArgs{DeliveryID: id} })
	default: // customers/data_request
		req, err := shopify.ParseCustomersDataRequest(payload)
		if err != nil {
			return a.keep(ctx, &shop.ID, d, err.Error())
		}
		if customerOf(req.Customer).Matcher().Empty() {
			return a.keep(ctx, &shop.ID, d, "the data request names no customer id, e-mail or phone: no report was made")
		}
		d.Payload = payload
		return a.keepPrivacyRequest(ctx, shop.ID, d, "data request queued: the report will be in the app's settings",
			func(id int64) river.JobArgs { return DataRequestArgs{DeliveryID: id} })
	}
}

// customerOf is the customer a privacy request names. The parsed payload
// holds no NUL (shopify's parser drops them), as the sessions' contact
// details do not.
func customerOf(c shopify.ComplianceCustomer) funnel.Customer {
	return funnel.Customer{ID: c.ID, Email: c.Email, Phone: c.Phone}
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
// merchant can download from the settings page, and returns how many there
// are. A redelivered request keeps the first report.
func (a *App) saveDataRequest(ctx context.Context, shop store.Shop, req shopify.CustomersDataRequest) (int, error) {
	customer := customerOf(req.Customer)
	sessions, err := a.store.CustomerData(ctx, shop.ID, customer)
	if err != nil {
		return 0, err
	}
	idle, err := a.shopIdle(ctx, shop.ID)
	if err != nil {
		return 0, err
	}
	now := a.now()
	report := dataRequestReport{Shop: shop.Domain, RequestID: req.DataRequest.ID,
		Customer:        shopify.ComplianceCustomer{ID: customer.ID, Email: customer.Email, Phone: customer.Phone},
		OrdersRequested: req.OrdersRequested, GeneratedAt: now.UTC(), Sessions: []sessionJSON{}}
	for _, s := range sessions {
		report.Sessions = append(report.Sessions, toSessionJSON(s, shop.Currency, now, idle))
	}
	body, err := json.Marshal(report)
	if err != nil {
		return 0, err
	}
	err = a.store.SaveDataRequest(ctx, store.DataRequest{ShopID: shop.ID, RequestID: req.DataRequest.ID,
		CustomerID: customer.ID, Email: customer.Email, Phone: customer.Phone,
		Sessions: len(sessions), Report: body})
	return len(sessions), err
}
