package app

import (
	"context"
	"time"

	"github.com/funnelscope/funnelscope/app/alerts"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// maxReportAnomalies is the most anomalies a report lists.
const maxReportAnomalies = 50

// anomalyJSON is one step anomaly of the report's range.
type anomalyJSON struct {
	// Step is the stage the step leads to, FromStep the one it starts at,
	// Label both in words.
	Step     string `json:"step"`
	FromStep string `json:"from_step"`
	Label    string `json:"label"`
	// Device is "" for all devices.
	Device string `json:"device"`
	// Day is the shop-local date, the last of the WindowDays days the
	// anomaly was found over (1: the day so far alone); Since when the drop
	// began, and SinceLocal that in the shop's zone: the time of day
	// ("14:00") for one day, else the day ("Tuesday 1 Dec").
	Day        string    `json:"day"`
	WindowDays int       `json:"window_days"`
	Since      time.Time `json:"since"`
	SinceLocal string    `json:"since_local"`
	// ExpectedRate and ObservedRate are from 0 to 1.
	ExpectedRate float64 `json:"expected_rate"`
	ObservedRate float64 `json:"observed_rate"`
	Shoppers     int64   `json:"shoppers"`
	Reached      int64   `json:"reached"`
	Lost         int64   `json:"lost"`
	// ValueAtRisk is a decimal amount of Currency.
	ValueAtRisk string `json:"value_at_risk"`
	Currency    string `json:"currency"`
	// Summary is the anomaly in one sentence, as its alert says it.
	Summary string `json:"summary"`
	// Evidence is the report of the window's days split by device.
	Evidence string `json:"evidence"`
	// Status is the alert's: queued, sent, failed or skipped.
	Status string `json:"status"`
}

// addAnomalies lists the step anomalies of the report's days (always a
// list, empty when there is none).
func (a *App) addAnomalies(ctx context.Context, q reportRequest, resp *funnelResponse) error {
	loc := q.Days.Location()
	list, err := a.store.Anomalies(ctx, q.Shop.ID, q.Days.Start().Format(dateLayout), q.Days.Last().Format(dateLayout), maxReportAnomalies)
	if err != nil {
		return err
	}
	resp.Anomalies = make([]anomalyJSON, 0, len(list))
	for _, an := range list {
		resp.Anomalies = append(resp.Anomalies, toAnomalyJSON(an, q.Shop, loc))
	}
	return nil
}

// toAnomalyJSON writes a stored anomaly in the API's shape.
func toAnomalyJSON(an store.Anomaly, shop store.Shop, loc *time.Location) anomalyJSON {
	currency := funnel.ValueCurrency(an.Currency, shop.Currency)
	return anomalyJSON{
		Step: an.Step.Key(), FromStep: (an.Step - 1).Key(), Label: (an.Step - 1).Label() + " → " + an.Step.Label(),
		Device: string(an.Device), Day: an.Day, WindowDays: an.WindowDays, Since: an.Since.UTC(), SinceLocal: alerts.AnomalySince(an, loc),
		ExpectedRate: an.ExpectedRate, ObservedRate: an.ObservedRate,
		Shoppers: an.Shoppers, Reached: an.Reached, Lost: an.Lost,
		ValueAtRisk: funnel.FormatMoney(an.ValueAtRisk), Currency: currency,
		Summary: alerts.AnomalySummary(an, currency, loc), Evidence: alerts.EvidencePath(an), Status: an.Status,
	}
}
