package app

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// impactParams reads the change's id (change, or the path's id) and the
// weeks of each window (weeks, default funnel.DefaultImpactWeeks); bad
// input is a 400 in plain words.
func impactParams(c echo.Context, idParam string) (id int64, weeks int, err error) {
	raw := idParam
	if raw == "" {
		raw = c.QueryParam("change")
	}
	id, perr := strconv.ParseInt(raw, 10, 64)
	if raw == "" || perr != nil || id <= 0 {
		return 0, 0, fieldError("change", "Give the change's number, like change=12; the Changes page lists them.")
	}
	weeks = funnel.DefaultImpactWeeks
	if v := c.QueryParam("weeks"); v != "" {
		weeks, perr = strconv.Atoi(v)
		if perr != nil || weeks < 1 || weeks > funnel.MaxImpactWeeks {
			return 0, 0, fieldError("weeks", "Give the weeks of each window as a whole number from 1 to %d.", funnel.MaxImpactWeeks)
		}
	}
	return id, weeks, nil
}

// apiImpact answers GET /api/impact?change=ID[&weeks=N]: the authenticated
// shop's change and each step's rate before and after it (impactOf). A
// change of another shop is a 404, as one that does not exist.
func (a *App) apiImpact(c echo.Context) error {
	id, weeks, err := impactParams(c, "")
	if err != nil {
		return err
	}
	loc, err := a.shopLocation(c)
	if err != nil {
		return err
	}
	out, err := a.impactOf(c.Request().Context(), shopOf(c), loc, id, weeks)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
