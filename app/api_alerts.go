package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// alertsListLimit is how many recent alerts GET /api/alerts returns.
const alertsListLimit = 100

// alertJSON is one alert as GET /api/alerts lists it, with its kind's
// label and its value as text from the server.
type alertJSON struct {
	SessionKey string `json:"session_key"`
	Kind       string `json:"kind"`
	KindLabel  string `json:"kind_label"`
	Mode       string `json:"mode"`
	Status     string `json:"status"`
	// StatusLabel is the status in words (alertStatusLabel).
	StatusLabel string     `json:"status_label"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error"`
	CreatedAt   time.Time  `json:"created_at"`
	SentAt      *time.Time `json:"sent_at"`
	Value       string     `json:"value"`
	Currency    string     `json:"currency"`
	// ValueDisplay is Value with its currency, the shop's when the cart
	// named none (funnel.DisplayMoney).
	ValueDisplay string `json:"value_display"`
}

// apiAlerts lists the authenticated shop's recent alerts, newest first,
// with their delivery status.
func (a *App) apiAlerts(c echo.Context) error {
	shop := shopOf(c)
	list, err := a.store.ListAlerts(c.Request().Context(), shop.ID, alertsListLimit)
	if err != nil {
		return err
	}
	out := struct {
		Alerts []alertJSON `json:"alerts"`
	}{Alerts: make([]alertJSON, 0, len(list))}
	for _, al := range list {
		out.Alerts = append(out.Alerts, alertJSON{
			SessionKey: al.SessionKey, Kind: string(al.Kind), KindLabel: al.Kind.Label(), Mode: al.Mode, Status: al.Status,
			StatusLabel: alertStatusLabel(al),
			Attempts:    al.Attempts, LastError: al.LastError, CreatedAt: al.CreatedAt, SentAt: al.SentAt,
			Value: funnel.FormatMoney(al.Value), Currency: al.Currency, ValueDisplay: funnel.DisplayMoney(al.Value, funnel.ValueCurrency(al.Currency, shop.Currency)),
		})
	}
	return c.JSON(http.StatusOK, out)
}

// alertStatusLabel says where an alert stands, in words: "Sent";
// "Waiting for digest" while a digest-mode alert waits for its hour or
// day; "Sending in a digest" once gathered; "Sending", or "Retrying: …"
// after a failed attempt; "Failed: …" and "Not sent: …" with the reason,
// which is already a plain message (app/alerts); "Held out: …" for a cart
// of the hold-out.
func alertStatusLabel(al store.Alert) string {
	with := func(label, reason string) string {
		if reason == "" {
			return label
		}
		return label + ": " + reason
	}
	switch al.Status {
	case store.AlertSent:
		return "Sent"
	case store.AlertFailed:
		return with("Failed", al.LastError)
	case store.AlertSkipped:
		return with("Not sent", al.LastError)
	case store.AlertHeldOut:
		return "Held out: not sent, to measure what alerts add"
	case store.AlertQueued:
		switch {
		case al.Mode == store.ModeDigest && al.DigestID == nil:
			return "Waiting for digest"
		case al.Mode == store.ModeDigest:
			return "Sending in a digest"
		case al.Attempts > 0 && al.LastError != "":
			return with("Retrying", al.LastError)
		}
		return "Sending"
	}
	return al.Status
}
