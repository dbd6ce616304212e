package app

import (
	"strconv"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// anomalyView is the callout of one step anomaly on the report page.
type anomalyView struct {
	Step, Device, Day, Summary string
	// Detail says what the figures rest on; Evidence links to the report
	// of the anomaly's days by device, under EvidenceLabel ("See that
	// day", "See those days").
	Detail, Evidence, EvidenceLabel string
}

// buildAnomalyViews formats the report's anomalies.
func buildAnomalyViews(list []anomalyJSON) []anomalyView {
	out := make([]anomalyView, 0, len(list))
	for _, an := range list {
		device := "All devices"
		if an.Device != "" {
			device = funnel.Device(an.Device).Label()
		}
		days, usual, label := an.Day, "on the same weekday of the last 4 weeks", "See that day"
		if an.WindowDays > 1 {
			days = "the " + strconv.Itoa(an.WindowDays) + " days to " + an.Day
			usual, label = "on the same days of the 4 weeks before", "See those days"
		}
		out = append(out, anomalyView{
			Step: an.Step, Device: an.Device, Day: an.Day, Summary: an.Summary,
			Detail: device + ", " + days + ": " + funnel.Percent(an.Reached, an.Shoppers) + " of " + strconv.FormatInt(an.Shoppers, 10) +
				" shoppers went through, about " + strconv.FormatInt(an.Lost, 10) + " fewer than " + usual + ".",
			Evidence: an.Evidence, EvidenceLabel: label,
		})
	}
	return out
}
