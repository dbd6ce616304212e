package app

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/store"
)

// settingsJSON is the shop's settings as the API reads and writes them.
type settingsJSON struct {
	AbandonAfterMinutes int `json:"abandon_after_minutes"`
}

// idleThreshold is the shop's abandonment threshold, or the default.
func (a *App) idleThreshold(c echo.Context, shopID int64) (time.Duration, error) {
	s, err := a.store.Settings(c.Request().Context(), shopID)
	if err != nil {
		return 0, err
	}
	if s.AbandonAfter > 0 {
		return s.AbandonAfter, nil
	}
	return a.cfg.AbandonAfter, nil
}

// apiGetSettings returns the authenticated shop's settings.
func (a *App) apiGetSettings(c echo.Context) error {
	idle, err := a.idleThreshold(c, shopOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, settingsJSON{AbandonAfterMinutes: int(idle / time.Minute)})
}

// apiPutSettings validates and saves the authenticated shop's settings.
func (a *App) apiPutSettings(c echo.Context) error {
	var in settingsJSON
	if err := c.Bind(&in); err != nil {
		return userError(http.StatusBadRequest, "The settings must be a JSON object.")
	}
	if in.AbandonAfterMinutes < 5 || in.AbandonAfterMinutes > 7*24*60 {
		return fieldError("abandon_after_minutes", "The abandonment threshold must be between 5 minutes and 7 days.")
	}
	ctx := c.Request().Context()
	shop := shopOf(c)
	s, err := a.store.Settings(ctx, shop.ID)
	if err != nil {
		return err
	}
	s.ShopID = shop.ID
	s.AbandonAfter = time.Duration(in.AbandonAfterMinutes) * time.Minute
	if err := a.store.SaveSettings(ctx, s); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, in)
}

var _ = store.Settings{}
