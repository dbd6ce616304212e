package app

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// trendDay is one day of the trend: sessions per stage, in funnel order,
// for the sessions that started that day.
type trendDay struct {
	Date     string  `json:"date"`
	Sessions []int64 `json:"sessions"`
}

// trendResponse is the daily funnel of a date range, by the shop's days.
type trendResponse struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	Timezone string     `json:"timezone"`
	Stages   []string   `json:"stages"`
	Days     []trendDay `json:"days"`
}

// apiTrend serves per-day stage counts, from which the page draws daily
// step conversion.
func (a *App) apiTrend(c echo.Context) error {
	days, err := a.dateRange(c)
	if err != nil {
		return err
	}
	resp, err := a.trend(c.Request().Context(), shopOf(c).ID, days)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

// trend is the shop's daily funnel over days.
func (a *App) trend(ctx context.Context, shopID int64, days funnel.DayRange) (trendResponse, error) {
	daily, err := a.store.DailyFurthest(ctx, shopID, days)
	if err != nil {
		return trendResponse{}, err
	}
	resp := trendResponse{From: days.Start().Format(dateLayout), To: days.Last().Format(dateLayout),
		Timezone: days.Location().String()}
	for _, st := range funnel.Stages() {
		resp.Stages = append(resp.Stages, st.Key())
	}
	for i, day := range days.Days() {
		r := funnel.BuildReport(funnel.Tally{Furthest: daily[i]})
		d := trendDay{Date: day.Format(dateLayout), Sessions: make([]int64, 0, len(r.Stages))}
		for _, s := range r.Stages {
			d.Sessions = append(d.Sessions, s.Sessions)
		}
		resp.Days = append(resp.Days, d)
	}
	return resp, nil
}
