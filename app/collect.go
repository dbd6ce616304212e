package app

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// collectPath is where the web pixel posts its batches.
const collectPath = "/collect"

// The window of event times /collect counts: an event is placed at its
// own timestamp when that lies between collectPast before its arrival and
// collectFuture after it; the others are not counted.
const (
	collectPast   = 30 * 24 * time.Hour
	collectFuture = 24 * time.Hour
)

// collectCORS sets the CORS headers of every /collect answer: any origin
// (the pixel runs in a sandbox on every storefront), never credentials.
func collectCORS(c echo.Context) {
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Vary", "Origin")
}

// collectPreflight answers the CORS preflight of POST /collect. The pixel
// posts text/plain and needs none; a browser that asks anyway is told
// POST with a Content-Type header is allowed.
func (a *App) collectPreflight(c echo.Context) error {
	collectCORS(c)
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	return c.NoContent(http.StatusNoContent)
}

// collectAnswer is a plain-text answer of /collect; it never says more than
// what was wrong with the request.
func collectAnswer(c echo.Context, status int, msg string) error {
	return c.String(status, msg+"\n")
}

// collect receives a batch of storefront events (DESIGN.md, "Storefront
// events"): the body is read up to its limit before anything is parsed;
// 204 once the batch is committed.
func (a *App) collect(c echo.Context) error {
	collectCORS(c)
	req := c.Request()
	body, err := readCollectBody(c.Response(), req)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return collectAnswer(c, http.StatusRequestEntityTooLarge, "The batch is larger than 64 KiB.")
		}
		return collectAnswer(c, http.StatusBadRequest, "The batch could not be read.")
	}
	batch, err := shopify.ParseCollectBatch(body)
	if err != nil {
		return collectAnswer(c, http.StatusBadRequest, "Not a batch of customer events: "+err.Error())
	}
	ip := remoteIP(req)
	if !a.limits.allowIP(ip, len(batch.Events)) {
		return a.collectTooMany(c)
	}
	ctx := req.Context()
	shop, err := a.pixelShops.lookup(ctx, batch.Key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return collectAnswer(c, http.StatusForbidden, "The pixel key is not valid for this shop.")
	case err != nil:
		a.log.ErrorContext(ctx, "looking up a pixel key failed", "error", err.Error())
		return collectAnswer(c, http.StatusServiceUnavailable, "The batch could not be stored right now; please send it again.")
	case !strings.EqualFold(strings.TrimSpace(batch.Shop), shop.Domain):
		return collectAnswer(c, http.StatusForbidden, "The pixel key is not valid for this shop.")
	}
	events, perClient := collectEvents(batch.Events, a.collectNow())
	if !a.limits.allowShop(shop.ID, perClient, len(batch.Events)) {
		return a.collectTooMany(c)
	}
	if err := a.collects.commit(ctx, store.StorefrontBatch{ShopID: shop.ID, Events: events}); err != nil {
		a.log.ErrorContext(ctx, "storing a storefront batch failed", "shop", shop.Domain, "events", len(events), "error", err.Error())
		return collectAnswer(c, http.StatusServiceUnavailable, "The batch could not be stored right now; please send it again.")
	}
	return c.NoContent(http.StatusNoContent)
}

// collectTooMany is the 429 answer.
func (a *App) collectTooMany(c echo.Context) error {
	c.Response().Header().Set("Retry-After", "1")
	return collectAnswer(c, http.StatusTooManyRequests, "Too many events; slow down.")
}

// collectEvents reduces a batch's customer events to storefront events,
// leaving out those whose time lies outside the window around arrival,
// and counts the events of each client id (for its rate limit).
func collectEvents(in []shopify.CustomerEvent, arrival time.Time) ([]funnel.StorefrontEvent, map[string]int) {
	lo, hi := arrival.Add(-collectPast), arrival.Add(collectFuture)
	out := make([]funnel.StorefrontEvent, 0, len(in))
	perClient := map[string]int{}
	var page pageMemo
	for _, ce := range in {
		perClient[ce.ClientID]++
		e := page.storefrontEvent(ce)
		if e.At.Before(lo) || e.At.After(hi) {
			continue
		}
		out = append(out, e)
	}
	return out, perClient
}

// readCollectBody reads the body up to maxCollectBytes into a buffer
// sized from Content-Length when the client sent one (io.ReadAll would
// start at 512 bytes and grow and copy its way up to a batch's 8 KB or
// so); the length is only a hint, the limit is the MaxBytesReader's.
func readCollectBody(w http.ResponseWriter, req *http.Request) ([]byte, error) {
	r := http.MaxBytesReader(w, req.Body, maxCollectBytes)
	size := int64(4 << 10)
	if n := req.ContentLength; n >= 0 {
		// One byte more, so that the read that sees the end needs no room.
		size = min(n, maxCollectBytes) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// remoteIP is the request's peer address without its port (the route
// table's IPExtractor trusts no forwarding header).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
