package app

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

const (
	defaultPerPage = 50
	maxPerPage     = 200
)

// sessionJSON is one funnel session as the embedded page shows it. The
// labels and the value as text are the server's (funnel's Label and
// DisplayMoney), so that the page writes none of them itself.
type sessionJSON struct {
	Key                string            `json:"key"`
	Status             funnel.Status     `json:"status"`
	StatusLabel        string            `json:"status_label"`
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

// apiSessions lists the authenticated shop's sessions by status and by the
// shop-local day they started, or the one session an alert links to
// (session=KEY).
func (a *App) apiSessions(c echo.Context) error {
	shop := shopOf(c)
	key, err := sessionKeyParam(c)
	if err != nil {
		return err
	}
	// An alert's link names a session, not its dates: with a key the range
	// is open unless from or to is given.
	var from, to time.Time
	if key == "" || c.QueryParam("from") != "" || c.QueryParam("to") != "" {
		days, err := a.dateRange(c)
		if err != nil {
			return err
		}
		from, to = days.Start(), days.End()
	}
	var status funnel.Status
	if v := c.QueryParam("status"); v != "" {
		var ok bool
		if status, ok = funnel.ParseStatus(v); !ok {
			return fieldError("status", "status must be one of active, abandoned_cart, checkout_dropoff, payment_dropoff, completed or recovered.")
		}
	}
	page, err := intParam(c, "page", 1, 1_000_000)
	if err != nil {
		return err
	}
	perPage, err := intParam(c, "per_page", defaultPerPage, maxPerPage)
	if err != nil {
		return err
	}
	orderBy := "started_at"
	switch c.QueryParam("sort") {
	case "", "time":
	case "value":
		orderBy = "value"
	default:
		return fieldError("sort", "sort must be time or value.")
	}
	desc := c.QueryParam("order") != "asc"
	idle, err := a.shopIdle(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	now := a.now()
	sessions, total, err := a.store.ListSessions(c.Request().Context(), store.SessionFilter{
		ShopID: shop.ID, Status: status, Key: key, From: from, To: to, Now: now, Idle: idle,
		Limit: perPage, Offset: (page - 1) * perPage, OrderBy: orderBy, Desc: desc,
	})
	if err != nil {
		return err
	}
	resp := sessionsResponse{Sessions: make([]sessionJSON, 0, len(sessions)), Page: page, PerPage: perPage, Total: total}
	for _, s := range sessions {
		resp.Sessions = append(resp.Sessions, toSessionJSON(s, shop.Currency, now, idle))
	}
	return c.JSON(http.StatusOK, resp)
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
		Key: s.Key, Status: status, StatusLabel: status.Label(),
		FurthestStage: s.Furthest().Key(), FurthestStageLabel: s.Furthest().Label(), Backfilled: s.Backfilled(),
		StartedAt: s.StartedAt.UTC(), LastActivity: s.LastActivity.UTC(), StageTimes: times,
		Value: funnel.FormatMoney(s.Value), Currency: s.Currency, ValueDisplay: funnel.DisplayMoney(s.Value, funnel.ValueCurrency(s.Currency, shopCurrency)),
		ItemCount: s.ItemCount, LineItems: items,
		Email: s.Email, Phone: s.Phone, Country: s.Country, Source: s.SourceName,
		LandingSite: s.LandingSite, ReferringSite: s.ReferringSite, Gateway: s.Gateway,
		RecoveryURL: s.RecoveryURL, AbandonedAt: s.AbandonedAt,
	}
}
