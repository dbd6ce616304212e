package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// customers/redact and customers/data_request are carried out by River jobs
// queued in the transaction that keeps the delivery: the webhook is answered
// at once however large the shop (the customer is matched in Go, over every
// session and kept payload of the shop), and the work is durable and
// retried. The job's arguments name only the delivery; the request's
// payload stays in it until the job has read it, and the job drops it.
const (
	// privacyJobAttempts: River's backoff (about attempt⁴ seconds) spreads
	// 15 attempts over a day and a half, well within the retention of the
	// payload the job reads.
	privacyJobAttempts = 15
	// privacyJobTimeout bounds one attempt: a large shop has millions of
	// sessions to read.
	privacyJobTimeout = 30 * time.Minute
)

// EraseCustomerArgs asks for the customers/redact request kept as the
// delivery with that id to be carried out.
type EraseCustomerArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job for River.
func (EraseCustomerArgs) Kind() string { return "erase_customer" }

// InsertOpts retries the job for as long as the request's payload is kept.
func (EraseCustomerArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: privacyJobAttempts}
}

// DataRequestArgs asks for the customers/data_request kept as the delivery
// with that id to be answered with a report.
type DataRequestArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job for River.
func (DataRequestArgs) Kind() string { return "customer_data_request" }

// InsertOpts retries the job for as long as the request's payload is kept.
func (DataRequestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: privacyJobAttempts}
}

type eraseCustomerWorker struct {
	river.WorkerDefaults[EraseCustomerArgs]
	app *App
}

// Timeout allows for a large shop.
func (w *eraseCustomerWorker) Timeout(*river.Job[EraseCustomerArgs]) time.Duration {
	return privacyJobTimeout
}

// Work erases the customer; it is idempotent, so River's retries are safe.
func (w *eraseCustomerWorker) Work(ctx context.Context, job *river.Job[EraseCustomerArgs]) error {
	return w.app.privacyJobResult(ctx, job.Attempt, job.MaxAttempts, job.Args.DeliveryID,
		w.app.eraseCustomer(ctx, job.Args.DeliveryID))
}

type dataRequestWorker struct {
	river.WorkerDefaults[DataRequestArgs]
	app *App
}

// Timeout allows for a large shop.
func (w *dataRequestWorker) Timeout(*river.Job[DataRequestArgs]) time.Duration {
	return privacyJobTimeout
}

// Work makes the report; a redelivered request keeps the first one.
func (w *dataRequestWorker) Work(ctx context.Context, job *river.Job[DataRequestArgs]) error {
	return w.app.privacyJobResult(ctx, job.Attempt, job.MaxAttempts, job.Args.DeliveryID,
		w.app.answerDataRequest(ctx, job.Args.DeliveryID))
}

// privacyJobResult logs a privacy job that failed for good: the operator
// must act, as Shopify will not send the request again.
func (a *App) privacyJobResult(ctx context.Context, attempt, maxAttempts int, deliveryID int64, err error) error {
	if err != nil && attempt >= maxAttempts {
		a.log.ErrorContext(ctx, "privacy request failed for good", "delivery", deliveryID, "attempts", attempt, "error", err)
	}
	return err
}

// keepPrivacyRequest keeps a privacy request with its payload and the job
// args makes of the kept delivery's id, in one transaction.
func (a *App) keepPrivacyRequest(ctx context.Context, shopID int64, d store.Delivery, reason string,
	args func(deliveryID int64) river.JobArgs) (outcome, error) {
	dup, err := a.store.KeepPrivacyRequest(ctx, shopID, d, reason, func(ctx context.Context, tx *sql.Tx, id int64) error {
		_, err := a.jobs.InsertTx(ctx, tx, args(id), nil)
		return err
	})
	if err != nil {
		return "", err
	}
	if dup {
		return outcomeDuplicate, nil
	}
	a.log.InfoContext(ctx, "webhook kept", "topic", d.Topic, "shop", d.ShopDomain, "webhook_id", d.WebhookID, "reason", reason)
	return outcomeKept, nil
}

// pendingRequest loads a kept privacy request that is still to be carried
// out; ok is false when there is nothing left to do (settled, or erased
// with its shop).
func (a *App) pendingRequest(ctx context.Context, deliveryID int64) (k store.KeptDelivery, ok bool, err error) {
	k, err = a.store.PrivacyRequest(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return k, false, nil
	}
	if err != nil {
		return k, false, err
	}
	return k, k.ShopID != nil && k.Delivery.Payload != nil, nil
}

// eraseCustomer carries out a kept customers/redact request; the erasure
// and the delivery's new reason, saying what was erased, commit together.
func (a *App) eraseCustomer(ctx context.Context, deliveryID int64) error {
	k, ok, err := a.pendingRequest(ctx, deliveryID)
	if !ok || err != nil {
		return err
	}
	req, err := shopify.ParseCustomersRedact(k.Delivery.Payload)
	if err != nil { // it parsed when it arrived
		return a.store.SettlePrivacyRequest(ctx, *k.ShopID, deliveryID, err.Error())
	}
	e, err := a.store.RedactCustomer(ctx, *k.ShopID, customerOf(req.Customer), store.ErasureRequest{
		DeliveryID: deliveryID,
		Reason: func(e store.CustomerErasure) string {
			return fmt.Sprintf("erased the customer's details from %s, %s and %s",
				countOf(e.Sessions, "session"), countOf(e.Payloads, "kept payload"), countOf(e.DataRequests, "data request"))
		},
	})
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "customer erased", "shop_id", *k.ShopID, "delivery", deliveryID,
		"sessions", e.Sessions, "payloads", e.Payloads, "data_requests", e.DataRequests, "visits", e.Visits)
	return nil
}

// answerDataRequest makes the report of a kept customers/data_request and
// then settles the delivery with what the report holds.
func (a *App) answerDataRequest(ctx context.Context, deliveryID int64) error {
	k, ok, err := a.pendingRequest(ctx, deliveryID)
	if !ok || err != nil {
		return err
	}
	req, err := shopify.ParseCustomersDataRequest(k.Delivery.Payload)
	if err != nil { // it parsed when it arrived
		return a.store.SettlePrivacyRequest(ctx, *k.ShopID, deliveryID, err.Error())
	}
	shop, err := a.store.ShopByID(ctx, *k.ShopID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := a.saveDataRequest(ctx, shop, req)
	if err != nil {
		return err
	}
	return a.store.SettlePrivacyRequest(ctx, shop.ID, deliveryID, fmt.Sprintf(
		"data request: the report lists %s with this customer's details; it is in the app's settings", countOf(int64(n), "funnel session")))
}

// countOf writes n things in words: "1 session", "2 sessions".
func countOf(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
