package app

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// maxSessionKey bounds a session key in a path: Shopify's tokens are a
// few dozen characters.
const maxSessionKey = 255

// deviceUnknown is a session's device while no storefront event tells it:
// webhooks carry none (DESIGN.md, "Joining visits to funnel sessions").
const deviceUnknown = "unknown"

// sessionDetailJSON is one session with its timeline and alerts, as
// GET /api/sessions/{key} answers.
type sessionDetailJSON struct {
	Session sessionJSON `json:"session"`
	// Device is mobile, tablet, desktop or unknown.
	Device string `json:"device"`
	// Timeline is what the session's timeline keeps, in time order. When
	// TimelineLeftOut is more than 0, that many events, not kept, came
	// between entry TimelineLeftOutAfter-1 and the next (funnel.TimelineCap).
	Timeline             []timelineEntryJSON `json:"timeline"`
	TimelineEvents       int                 `json:"timeline_events"`
	TimelineLeftOut      int                 `json:"timeline_left_out"`
	TimelineLeftOutAfter int                 `json:"timeline_left_out_after,omitempty"`
	Alerts               []sessionAlertJSON  `json:"alerts"`
}

// timelineEntryJSON is one entry of a session's timeline, with the
// server's labels and its cart's value as text.
type timelineEntryJSON struct {
	Source       funnel.Source `json:"source"`
	Name         string        `json:"name"`
	Label        string        `json:"label"`
	At           time.Time     `json:"at"`
	Stage        string        `json:"stage"`
	StageLabel   string        `json:"stage_label"`
	Value        string        `json:"value"`
	Currency     string        `json:"currency"`
	ValueDisplay string        `json:"value_display"`
	ItemCount    int           `json:"item_count"`
}

// sessionAlertJSON is one alert about the session.
type sessionAlertJSON struct {
	Kind         string     `json:"kind"`
	KindLabel    string     `json:"kind_label"`
	Mode         string     `json:"mode"`
	Status       string     `json:"status"`
	StatusLabel  string     `json:"status_label"`
	CreatedAt    time.Time  `json:"created_at"`
	SentAt       *time.Time `json:"sent_at"`
	ValueDisplay string     `json:"value_display"`
}

// apiSession serves one session of the authenticated shop with its
// timeline: another shop's key is a 404, as is a key no session has.
func (a *App) apiSession(c echo.Context) error {
	key, err := sessionKeyPath(c)
	if err != nil {
		return err
	}
	d, err := a.sessionDetail(c.Request().Context(), shopOf(c), key)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// errNoSuchSession is the answer for a key the shop has no session under.
var errNoSuchSession = &Error{Status: http.StatusNotFound,
	Message: "This shopper is not in this store's records: the link may be from another store's alert, or the shopper's data was erased on request."}

// sessionDetail is the shop's session named key, ready for the API and the
// page.
func (a *App) sessionDetail(ctx context.Context, shop store.Shop, key string) (sessionDetailJSON, error) {
	d, err := a.store.SessionDetail(ctx, shop.ID, key)
	if errors.Is(err, store.ErrNotFound) {
		return sessionDetailJSON{}, errNoSuchSession
	}
	if err != nil {
		return sessionDetailJSON{}, err
	}
	idle, err := a.shopIdle(ctx, shop.ID)
	if err != nil {
		return sessionDetailJSON{}, err
	}
	out := sessionDetailJSON{
		Session:         toSessionJSON(d.Session, shop.Currency, a.now(), idle),
		Device:          deviceUnknown,
		Timeline:        make([]timelineEntryJSON, 0, len(d.Timeline)),
		TimelineEvents:  d.TimelineEvents,
		TimelineLeftOut: d.TimelineLeftOut(),
		Alerts:          make([]sessionAlertJSON, 0, len(d.Alerts)),
	}
	if out.TimelineLeftOut > 0 {
		out.TimelineLeftOutAfter = funnel.TimelineHead
	}
	for _, e := range d.Timeline {
		out.Timeline = append(out.Timeline, timelineEntryJSON{
			Source: e.Source, Name: e.Name, Label: entryLabel(e), At: e.At.UTC(),
			Stage: e.Stage.Key(), StageLabel: e.Stage.Label(),
			Value: funnel.FormatMoney(e.Value), Currency: e.Currency,
			ValueDisplay: funnel.DisplayMoney(e.Value, funnel.ValueCurrency(e.Currency, shop.Currency)),
			ItemCount:    e.ItemCount,
		})
	}
	for _, al := range d.Alerts {
		out.Alerts = append(out.Alerts, sessionAlertJSON{
			Kind: string(al.Kind), KindLabel: al.Kind.Label(), Mode: al.Mode, Status: al.Status,
			StatusLabel: alertStatusLabel(al), CreatedAt: al.CreatedAt, SentAt: al.SentAt,
			ValueDisplay: funnel.DisplayMoney(al.Value, funnel.ValueCurrency(al.Currency, shop.Currency)),
		})
	}
	return out, nil
}

// entryLabel is what the timeline calls an entry: a webhook's topic's
// label (topicLabel), else the event's own name.
func entryLabel(e funnel.TimelineEntry) string {
	if e.Source == funnel.SourceWebhook {
		return topicLabel(e.Name)
	}
	return e.Name
}

// sessionKeyPath reads the session key of /sessions/{key} and
// /api/sessions/{key}. Echo gives the path's own text when it holds
// escapes and the decoded one otherwise, so an escaped key is decoded
// here. A key that cannot be a session's (empty, not UTF-8, holding a NUL,
// over maxSessionKey bytes) is a 400.
func sessionKeyPath(c echo.Context) (string, error) {
	key := c.Param("key")
	if c.Request().URL.RawPath != "" {
		var err error
		if key, err = url.PathUnescape(key); err != nil {
			key = "\x00" // refused below
		}
	}
	if key == "" || len(key) > maxSessionKey || !utf8.ValidString(key) || strings.ContainsRune(key, 0) {
		return "", userError(http.StatusBadRequest, "This is not a link to a shopper: open the shopper from the report's lists or from an alert.")
	}
	return key, nil
}
