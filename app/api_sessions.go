package app

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/templates"
)

const (
	defaultPerPage = 50
	maxPerPage     = 200
)

// sessionJSON is one funnel session as the embedded page shows it. The
// labels and the value as text are the server's (funnel's Label and
// DisplayMoney), so that the page writes none of them itself.
type sessionJSON struct {
	Key         string        `json:"key"`
	Status      funnel.Status `json:"status"`
	StatusLabel string        `json:"status_label"`
	// StatusTone is the Polaris badge tone of the status, as the session
	// page gives it (templates.StatusTone).
	StatusTone         string            `json:"status_tone"`
	FurthestStage      string            `json:"furthest_stage"`
	FurthestStageLabel string            `json:"furthest_stage_label"`
	Backfilled         bool              `json:"backfilled"`
	StartedAt          time.Time         `json:"started_at"`
	LastActivity       time.Time         `json:"last_activity"`
	StageTimes         map[string]string `json:"stage_times"`
	Value              string            `json:"value"`
	Currency           string            `json:"currency"`
	ValueDisplay       string            `json:"value_display"`
	ItemCount          int               `json:"item_count"`
	LineItems          []funnel.LineItem `json:"line_items"`
	Email              string            `json:"email,omitempty"`
	Phone              string            `json:"phone,omitempty"`
	Country            string            `json:"country,omitempty"`
	Source             string            `json:"source,omitempty"`
	LandingSite        string            `json:"landing_site,omitempty"`
	ReferringSite      string            `json:"referring_site,omitempty"`
	Gateway            string            `json:"gateway,omitempty"`
	RecoveryURL        string            `json:"recovery_url,omitempty"`
	AbandonedAt        *time.Time        `json:"abandoned_at,omitempty"`
}

// sessionsResponse is a page of sessions, newest first unless sorted otherwise.
type sessionsResponse struct {
	Sessions []sessionJSON `json:"sessions"`
	Page     int           `json:"page"`
	PerPage  int           `json:"per_page"`
	Total    int64         `json:"total"`
}

// sessionsRequest is a page of sessions asked for: of the authenticated
// shop, by status (any when empty), started on the shop-local Days (all
// days when Days is nil), of one segment's value and holding Search in
// their e-mail, phone or a product's title (any where empty), or the one
// session with Key.
type sessionsRequest struct {
	Shop          store.Shop
	Key           string
	Days          *funnel.DayRange
	Status        funnel.Status
	Segment       string
	SegmentValue  string
	Search        string
	Page, PerPage int
	// OrderBy is "started_at" or "value", descending when Desc.
	OrderBy string
	Desc    bool
}

// apiSessions lists the authenticated shop's sessions by status and by the
// shop-local day they started, or the one session an alert links to
// (session=KEY).
func (a *App) apiSessions(c echo.Context) error {
	q, err := a.parseSessionsRequest(c)
	if err != nil {
		return err
	}
	resp, err := a.listSessions(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

// parseSessionsRequest reads session, from, to, status, segment,
// segment_value, q, page, per_page, sort and order; bad input is an error
// naming the parameter.
func (a *App) parseSessionsRequest(c echo.Context) (sessionsRequest, error) {
	q := sessionsRequest{Shop: shopOf(c), OrderBy: "started_at", Desc: c.QueryParam("order") != "asc"}
	var err error
	if q.Key, err = sessionKeyParam(c); err != nil {
		return q, err
	}
	// An alert's link names a session, not its dates: with a key the range
	// is open unless from or to is given.
	if q.Key == "" || c.QueryParam("from") != "" || c.QueryParam("to") != "" {
		days, err := a.dateRange(c)
		if err != nil {
			return q, err
		}
		q.Days = &days
	}
	if v := c.QueryParam("status"); v != "" {
		var ok bool
		if q.Status, ok = funnel.ParseStatus(v); !ok {
			return q, fieldError("status", "status must be one of active, abandoned_cart, checkout_dropoff, payment_dropoff, completed or recovered.")
		}
	}
	q.Segment, q.SegmentValue = c.QueryParam("segment"), c.QueryParam("segment_value")
	switch {
	case q.Segment != "" && !funnel.ValidSegment(q.Segment):
		return q, fieldError("segment", "segment must be one of source, country, value_band or new_vs_returning.")
	case q.SegmentValue != "" && q.Segment == "":
		return q, fieldError("segment_value", "segment_value needs a segment to be a value of.")
	}
	q.Search = strings.TrimSpace(c.QueryParam("q"))
	if len(q.Search) > store.MaxSearch || !utf8.ValidString(q.Search) || strings.ContainsRune(q.Search, 0) {
		return q, fieldError("q", "Search for at most %d characters of an e-mail, a phone number or a product's name.", store.MaxSearch)
	}
	if q.Page, err = intParam(c, "page", 1, 1_000_000); err != nil {
		return q, err
	}
	if q.PerPage, err = intParam(c, "per_page", defaultPerPage, maxPerPage); err != nil {
		return q, err
	}
	switch c.QueryParam("sort") {
	case "", "time":
	case "value":
		q.OrderBy = "value"
	default:
		return q, fieldError("sort", "sort must be time or value.")
	}
	return q, nil
}

// listSessions is the page of sessions q asks for, each with its status
// by the shop's idle threshold.
func (a *App) listSessions(ctx context.Context, q sessionsRequest) (sessionsResponse, error) {
	idle, err := a.shopIdle(ctx, q.Shop.ID)
	if err != nil {
		return sessionsResponse{}, err
	}
	now := a.now()
	f := q.filter(now, idle)
	f.Limit, f.Offset = q.PerPage, (q.Page-1)*q.PerPage
	sessions, total, err := a.store.ListSessions(ctx, f)
	if err != nil {
		return sessionsResponse{}, err
	}
	resp := sessionsResponse{Sessions: make([]sessionJSON, 0, len(sessions)), Page: q.Page, PerPage: q.PerPage, Total: total}
	for _, s := range sessions {
		resp.Sessions = append(resp.Sessions, toSessionJSON(s, q.Shop.Currency, now, idle))
	}
	return resp, nil
}

// filter is the store's filter of q's sessions, their statuses at now
// against idle, all of them (no page).
func (q sessionsRequest) filter(now time.Time, idle time.Duration) store.SessionFilter {
	f := store.SessionFilter{
		ShopID: q.Shop.ID, Status: q.Status, Key: q.Key, Now: now, Idle: idle,
		Segment: q.Segment, SegmentValue: q.SegmentValue, Search: q.Search, OrderBy: q.OrderBy, Desc: q.Desc,
	}
	if q.Days != nil {
		f.From, f.To = q.Days.Start(), q.Days.End()
	}
	return f
}

// sessionKeyParam reads the optional session key. No session's key holds
// a NUL or is not UTF-8, and PostgreSQL could not even compare one.
func sessionKeyParam(c echo.Context) (string, error) {
	k := c.QueryParam("session")
	if !utf8.ValidString(k) || strings.ContainsRune(k, 0) {
		return "", fieldError("session", "session must be a session's key, as in an alert's link.")
	}
	return k, nil
}

// toSessionJSON writes a session of a shop whose currency is shopCurrency.
func toSessionJSON(s funnel.Session, shopCurrency string, now time.Time, idle time.Duration) sessionJSON {
	times := map[string]string{}
	for _, st := range funnel.Stages() {
		if t := s.StageTime(st); t != nil {
			times[st.Key()] = t.UTC().Format(time.RFC3339)
		}
	}
	items := s.LineItems
	if items == nil {
		items = []funnel.LineItem{}
	}
	status := s.Status(now, idle)
	return sessionJSON{
		Key: s.Key, Status: status, StatusLabel: status.Label(), StatusTone: templates.StatusTone(string(status)),
		FurthestStage: s.Furthest().Key(), FurthestStageLabel: s.Furthest().Label(), Backfilled: s.Backfilled(),
		StartedAt: s.StartedAt.UTC(), LastActivity: s.LastActivity.UTC(), StageTimes: times,
		Value: funnel.FormatMoney(s.Value), Currency: s.Currency, ValueDisplay: funnel.DisplayMoney(s.Value, funnel.ValueCurrency(s.Currency, shopCurrency)),
		ItemCount: s.ItemCount, LineItems: items,
		Email: s.Email, Phone: s.Phone, Country: s.Country, Source: s.SourceName,
		LandingSite: s.LandingSite, ReferringSite: s.ReferringSite, Gateway: s.Gateway,
		RecoveryURL: s.RecoveryURL, AbandonedAt: s.AbandonedAt,
	}
}
