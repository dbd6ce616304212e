package app

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// dataRequestJSON is one customer data request as the settings page lists it.
type dataRequestJSON struct {
	RequestID  int64           `json:"data_request_id"`
	Email      string          `json:"email"`
	Phone      string          `json:"phone"`
	Sessions   int             `json:"sessions"`
	ReceivedAt time.Time       `json:"received_at"`
	Report     json.RawMessage `json:"report"`
}

// apiDataRequests lists the authenticated shop's customer data requests with
// their reports, newest first, for the merchant to pass on.
func (a *App) apiDataRequests(c echo.Context) error {
	list, err := a.store.DataRequests(c.Request().Context(), shopOf(c).ID, 50)
	if err != nil {
		return err
	}
	out := struct {
		DataRequests []dataRequestJSON `json:"data_requests"`
	}{DataRequests: make([]dataRequestJSON, 0, len(list))}
	for _, d := range list {
		out.DataRequests = append(out.DataRequests, dataRequestJSON{RequestID: d.RequestID, Email: d.Email, Phone: d.Phone,
			Sessions: d.Sessions, ReceivedAt: d.ReceivedAt, Report: d.Report})
	}
	return c.JSON(http.StatusOK, out)
}
