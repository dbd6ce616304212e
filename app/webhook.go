package app

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// maxWebhookBytes bounds a webhook body. An order with hundreds of lines,
// taxes and discounts runs to a few hundred kilobytes; a larger body is
// refused before its HMAC can be checked, and so cannot be kept.
const maxWebhookBytes = 5 << 20

// webhook receives every topic. The HMAC over the raw body is checked before
// anything is parsed; the answer is 200 only once the delivery is committed,
// and 5xx when it could not be, so Shopify delivers it again.
func (a *App) webhook(c echo.Context) error {
	req := c.Request()
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxWebhookBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return userError(http.StatusRequestEntityTooLarge, "The webhook body is larger than 5 MiB.")
		}
		return userError(http.StatusBadRequest, "The webhook body could not be read.")
	}
	h := shopify.ReadWebhookHeaders(req.Header)
	if !shopify.VerifyWebhookHMAC(body, h.HMAC, a.cfg.APISecret) {
		a.metrics.webhooks.WithLabelValues("unknown", "unauthorized").Inc()
		return userError(http.StatusUnauthorized, "The webhook signature is missing or wrong.")
	}
	switch {
	case h.Topic == "":
		return userError(http.StatusBadRequest, "The X-Shopify-Topic header is missing.")
	case h.WebhookID == "":
		return userError(http.StatusBadRequest, "The X-Shopify-Webhook-Id header is missing.")
	case !shopify.ValidShopDomain(h.ShopDomain):
		return userError(http.StatusBadRequest, "The X-Shopify-Shop-Domain header does not name a Shopify store.")
	case len(body) == 0:
		return userError(http.StatusBadRequest, "The webhook body is empty.")
	}
	// A value the database cannot store would fail the delivery on every
	// retry: it is kept under a stand-in, with the reason.
	h, problem := h.Storable()
	d := store.Delivery{
		WebhookID:   h.WebhookID,
		EventID:     h.EventID,
		Topic:       h.Topic,
		ShopDomain:  h.ShopDomain,
		APIVersion:  h.APIVersion,
		TriggeredAt: a.parseTriggeredAt(h.TriggeredAt),
		Payload:     body,
	}
	ctx := req.Context()
	var outcome outcome
	if problem != "" {
		outcome, err = a.keepForShop(ctx, d, problem)
	} else {
		outcome, err = a.ingest(ctx, d)
	}
	if err != nil {
		a.metrics.webhooks.WithLabelValues(metricTopic(h.Topic), "failed").Inc()
		return &Error{Status: http.StatusServiceUnavailable, Err: err,
			Message: "The webhook could not be stored right now; please deliver it again."}
	}
	a.metrics.webhooks.WithLabelValues(metricTopic(h.Topic), string(outcome)).Inc()
	return c.JSON(http.StatusOK, map[string]string{"status": string(outcome)})
}
