package app

import "github.com/funnelscope/funnelscope/app/alerts"

// TuneAlertsForTest shortens the alert service's retries and timeouts and
// gives it the test's HTTP client for chat webhooks.
func (a *App) TuneAlertsForTest(t alerts.Tuning) { a.alerts.Tune(t) }
