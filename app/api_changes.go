package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// maxChangesListed is the most changes GET /api/changes returns.
const maxChangesListed = 200

// maxChangeBody is the largest body POST /api/changes reads: a description
// of funnel.MaxChangeDescription characters of four bytes each, escaped,
// with room to spare.
const maxChangeBody = 16 << 10

// changeLocalLayout is a time without its zone, as the page's date-time
// field gives it: in the shop's time zone.
const changeLocalLayout = "2006-01-02T15:04"

// changeJSON is one store change as the API gives it: at as an instant,
// day its calendar date in the shop's zone (where the trend marks it).
type changeJSON struct {
	ID          int64             `json:"id"`
	At          time.Time         `json:"at"`
	Day         string            `json:"day"`
	Kind        funnel.ChangeKind `json:"kind"`
	KindLabel   string            `json:"kind_label"`
	Description string            `json:"description"`
	Source      string            `json:"source"`
}

// changesResponse is the answer of GET /api/changes: the shop's changes,
// newest first, and the zone their days are in.
type changesResponse struct {
	Timezone string       `json:"timezone"`
	Changes  []changeJSON `json:"changes"`
}

// changeRequest is the body of POST /api/changes.
type changeRequest struct {
	At          string `json:"at"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
}

// toChangeJSON writes a change with its day in loc.
func toChangeJSON(c store.Change, loc *time.Location) changeJSON {
	return changeJSON{ID: c.ID, At: c.At.UTC(), Day: c.At.In(loc).Format(dateLayout), Kind: c.Kind,
		KindLabel: c.Kind.Label(), Description: c.Description, Source: c.Source}
}

// apiChanges lists the authenticated shop's store changes, newest first:
// those of the shop-local days from–to when either is given, else the
// latest maxChangesListed.
func (a *App) apiChanges(c echo.Context) error {
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	from, to := time.Time{}, a.now().Add(100*365*24*time.Hour)
	if c.QueryParam("from") != "" || c.QueryParam("to") != "" {
		days, err := a.dateRange(c)
		if err != nil {
			return err
		}
		from, to = days.Start(), days.End()
	}
	list, err := a.store.Changes(c.Request().Context(), shopOf(c).ID, from, to, maxChangesListed)
	if err != nil {
		return err
	}
	resp := changesResponse{Timezone: loc.String(), Changes: make([]changeJSON, 0, len(list))}
	for _, ch := range list {
		resp.Changes = append(resp.Changes, toChangeJSON(ch, loc))
	}
	return c.JSON(http.StatusOK, resp)
}

// apiPostChange records a change the merchant describes for the
// authenticated shop (funnel.CheckChange). Bad input is a 400 naming its
// field, and records nothing.
func (a *App) apiPostChange(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxChangeBody+1))
	if err != nil || len(body) > maxChangeBody {
		return userError(http.StatusBadRequest, "The change could not be read: send at most %d KB of JSON.", maxChangeBody>>10)
	}
	var req changeRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		return userError(http.StatusBadRequest, "The change must be JSON with at, kind and description.")
	}
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	now := a.now()
	at, ok := parseChangeTime(req.At, now, loc)
	if !ok {
		return fieldError("at", "Give the change's date and time, like 2026-11-20T14:30.")
	}
	if req.Kind == "" {
		req.Kind = string(funnel.ChangeMerchantNote)
	}
	ctx := c.Request().Context()
	shop := shopOf(c)
	since, err := a.changesSince(ctx, shop, loc)
	if err != nil {
		return err
	}
	desc, problem := funnel.CheckChange(req.Description, req.Kind, at, now, since)
	if problem != nil {
		return fieldError(problem.Field, "%s", problem.Message)
	}
	kind, _ := funnel.ParseChangeKind(req.Kind)
	ch, _, err := a.store.AddChange(ctx, store.Change{ShopID: shop.ID, At: at, Kind: kind,
		Description: desc, Source: funnel.ChangeFromMerchant})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toChangeJSON(ch, loc))
}

// changesSince is the earliest time a merchant's change may be dated: the
// start of the shop-local day on which the shop's data begins
// (store.DataSince), the first day its trend can show.
func (a *App) changesSince(ctx context.Context, shop store.Shop, loc *time.Location) (time.Time, error) {
	since, err := a.store.DataSince(ctx, shop)
	if err != nil {
		return time.Time{}, err
	}
	if now := a.now(); since.IsZero() || now.Before(since) {
		since = now
	}
	y, m, d := since.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return funnel.NewDayRange(day, day, loc).Start(), nil
}

// parseChangeTime reads a change's time: an RFC 3339 instant, or a time
// without zone (the page's field) in the shop's zone loc; none is now.
func parseChangeTime(v string, now time.Time, loc *time.Location) (time.Time, bool) {
	if v == "" {
		return now, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	for _, layout := range []string{changeLocalLayout, changeLocalLayout + ":05"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
