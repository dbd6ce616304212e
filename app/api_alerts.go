package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// alertsListLimit is how many recent alerts GET /api/alerts returns.
const alertsListLimit = 100

// alertJSON is one alert as GET /api/alerts lists it.
type alertJSON struct {
	SessionKey string     `json:"session_key"`
	Kind       string     `json:"kind"`
	Mode       string     `json:"mode"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at"`
	Value      string     `json:"value"`
	Currency   string     `json:"currency"`
}

// apiAlerts lists the authenticated shop's recent alerts, newest first,
// with their delivery status.
func (a *App) apiAlerts(c echo.Context) error {
	list, err := a.store.ListAlerts(c.Request().Context(), shopOf(c).ID, alertsListLimit)
	if err != nil {
		return err
	}
	out := struct {
		Alerts []alertJSON `json:"alerts"`
	}{Alerts: make([]alertJSON, 0, len(list))}
	for _, al := range list {
		out.Alerts = append(out.Alerts, alertJSON{
			SessionKey: al.SessionKey, Kind: string(al.Kind), Mode: al.Mode, Status: al.Status,
			Attempts: al.Attempts, LastError: al.LastError, CreatedAt: al.CreatedAt, SentAt: al.SentAt,
			Value: funnel.FormatMoney(al.Value), Currency: al.Currency,
		})
	}
	return c.JSON(http.StatusOK, out)
}
