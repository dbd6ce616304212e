package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// pixelActivationAttempts bounds the activate_pixel job's tries on passing
// failures (Shopify unreachable, 5xx, throttling past the client's own
// retries): River's backoff (about attempt⁴ seconds) spreads ten over
// about four hours. A refusal (a *shopify.PixelError that is not
// retryable) ends it at once.
const pixelActivationAttempts = 10

// Error codes the app records beside Shopify's own (shopify.Pixel*), for
// failures that are not a user error of the pixel mutations.
const (
	// pixelErrReauthorize: Shopify no longer accepts the shop's token.
	pixelErrReauthorize = "REAUTHORIZE"
	// pixelErrUnreachable: every attempt failed on the way to Shopify.
	pixelErrUnreachable = "UNREACHABLE"
)

// ActivatePixelArgs asks for a shop's web pixel to be created (or updated)
// with the shop's pixel key.
type ActivatePixelArgs struct {
	Shop string `json:"shop"`
}

// Kind names the job for River.
func (ActivatePixelArgs) Kind() string { return "activate_pixel" }

// InsertOpts bounds the job's attempts.
func (ActivatePixelArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: pixelActivationAttempts}
}

type activatePixelWorker struct {
	river.WorkerDefaults[ActivatePixelArgs]
	app *App
}

// Work activates the shop's pixel. It is idempotent (the pixel is read
// first, and written only when its key differs), so River's retries are
// safe; a refusal is recorded and not retried.
func (w *activatePixelWorker) Work(ctx context.Context, job *river.Job[ActivatePixelArgs]) error {
	err := w.app.ActivatePixel(ctx, job.Args.Shop, job.Attempt >= job.MaxAttempts)
	if errors.Is(err, errPixelRefused) || errors.Is(err, errNeedsReauth) || errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	return err
}

// errPixelRefused wraps a refusal ActivatePixel recorded as failed.
var errPixelRefused = errors.New("app: Shopify refused the web pixel")

// queuePixelActivation queues the activate_pixel job of shop inside tx,
// with its pending state: the install's transaction, or the merchant's
// "Try again".
func (a *App) queuePixelActivation(ctx context.Context, tx *sql.Tx, shopID int64, domain string) error {
	if err := a.store.QueuePixelActivation(ctx, tx, shopID); err != nil {
		return err
	}
	_, err := a.jobs.InsertTx(ctx, tx, ActivatePixelArgs{Shop: domain}, nil)
	return err
}

// ActivatePixel makes the shop's web pixel carry its pixel key (creating
// the key the first time) and records where the activation stands: active
// with the pixel's id; failed with Shopify's reason when Shopify refuses
// (the error wraps errPixelRefused) or the shop must re-authorize
// (errNeedsReauth); pending with the passing failure's words otherwise, or
// failed as unreachable when last is true (the job's last attempt).
func (a *App) ActivatePixel(ctx context.Context, domain string, last bool) error {
	shop, err := a.store.ShopByDomain(ctx, domain)
	if err != nil {
		return err
	}
	record := func(act store.PixelActivation) error {
		act.ShopID = shop.ID
		return a.store.SetPixelActivation(ctx, act)
	}
	token, err := a.adminToken(ctx, shop)
	if errors.Is(err, errNeedsReauth) {
		return errors.Join(err, record(store.PixelActivation{State: store.PixelFailed, ErrorCode: pixelErrReauthorize}))
	}
	if err != nil {
		return a.pixelPassingFailure(ctx, shop, record, last, err)
	}
	key, err := a.store.EnsurePixelKey(ctx, shop.ID)
	if err != nil {
		return err
	}
	px, outcome, err := a.shopify.EnsureWebPixel(ctx, shop.Domain, token, key)
	var refused *shopify.PixelError
	switch {
	case err == nil:
		a.log.InfoContext(ctx, "web pixel active", "shop", shop.Domain, "outcome", string(outcome), "web_pixel_id", px.ID)
		return record(store.PixelActivation{State: store.PixelActive, WebPixelID: px.ID})
	case errors.Is(err, shopify.ErrReauthorize):
		return errors.Join(a.markNeedsReauth(ctx, shop, err),
			record(store.PixelActivation{State: store.PixelFailed, ErrorCode: pixelErrReauthorize}))
	case errors.As(err, &refused) && !refused.Retryable():
		a.log.WarnContext(ctx, "web pixel refused", "shop", shop.Domain, "code", refused.Code, "op", refused.Op)
		if rerr := record(store.PixelActivation{State: store.PixelFailed, ErrorCode: refused.Code, ErrorMessage: refused.Message}); rerr != nil {
			return rerr
		}
		return fmt.Errorf("%w: %w", errPixelRefused, err)
	default:
		return a.pixelPassingFailure(ctx, shop, record, last, err)
	}
}

// pixelPassingFailure records a failure worth another attempt: pending
// with its words, or failed as unreachable on the last attempt; it returns
// the failure for River to retry.
func (a *App) pixelPassingFailure(ctx context.Context, shop store.Shop, record func(store.PixelActivation) error, last bool, cause error) error {
	act := store.PixelActivation{State: store.PixelPending, ErrorMessage: cause.Error()}
	if last {
		act.State, act.ErrorCode = store.PixelFailed, pixelErrUnreachable
	}
	a.log.WarnContext(ctx, "web pixel activation failed", "shop", shop.Domain, "last_attempt", last, "error", cause.Error())
	if err := record(act); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("app: activating the web pixel of %s: %w", shop.Domain, cause)
}
