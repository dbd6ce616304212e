package app

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/alerts"
)

// shopIdle is the shop's abandonment threshold, or the default.
func (a *App) shopIdle(ctx context.Context, shopID int64) (time.Duration, error) {
	s, err := a.store.Settings(ctx, shopID)
	if err != nil {
		return 0, err
	}
	if s.AbandonAfter > 0 {
		return s.AbandonAfter, nil
	}
	return a.cfg.AbandonAfter, nil
}

// apiGetSettings returns the authenticated shop's settings (alerts.SettingsJSON).
func (a *App) apiGetSettings(c echo.Context) error {
	shop := shopOf(c)
	s, err := a.store.Settings(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, alerts.ToJSON(s, shop, a.cfg.AbandonAfter))
}

// apiPutSettings validates and saves the authenticated shop's settings. The
// fields the body names replace the saved ones; any invalid field is a 400
// naming it, and then nothing is saved.
func (a *App) apiPutSettings(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return userError(http.StatusBadRequest, "The settings could not be read.")
	}
	ctx := c.Request().Context()
	shop := shopOf(c)
	cur, err := a.store.Settings(ctx, shop.ID)
	if err != nil {
		return err
	}
	next, fe := alerts.ApplyJSON(cur, body, !a.cfg.Demo)
	if fe != nil {
		if fe.Field == "" {
			return userError(http.StatusBadRequest, "%s", fe.Message)
		}
		return fieldError(fe.Field, "%s", fe.Message)
	}
	next.ShopID = shop.ID
	if err := a.store.SaveSettings(ctx, next); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, alerts.ToJSON(next, shop, a.cfg.AbandonAfter))
}
