package funnel

// AnomalyMaxWindowDays is the most shop-local days an anomaly's window
// spans: a small shop's window widens day by day, up to a week, until its
// history leads to expect AnomalyMinShoppers in it (AnomalyWindowDays).
const AnomalyMaxWindowDays = 7

// WindowDayTallies are one device's sessions by furthest stage on each
// day of a widest window: [0] the day of the scan's cut (its hours so
// far), [1] the whole day before, and so on back to
// [AnomalyMaxWindowDays−1].
type WindowDayTallies [AnomalyMaxWindowDays][StageCompleted + 1]int64

// AnomalyWindowDays returns how many days a step's window spans: the
// smallest k from 1 to AnomalyMaxWindowDays for which the history's mean
// shoppers entering the step per window-day × k reaches
// AnomalyMinShoppers, AnomalyMaxWindowDays when even that falls short
// (DetectAnomalies' minimum then still refuses a window too thin).
// historyEntering[k−1] is how many entered it over the k-day window's
// AnomalyHistoryWeeks copies, shifted by 1, 2, … weeks; the mean per
// window-day × k is that over AnomalyHistoryWeeks. Only the history
// decides, never the window's own outcome, so choosing k peeks at
// nothing.
func AnomalyWindowDays(historyEntering [AnomalyMaxWindowDays]int64) int {
	for k := 1; k <= AnomalyMaxWindowDays; k++ {
		if historyEntering[k-1] >= AnomalyMinShoppers*AnomalyHistoryWeeks {
			return k
		}
	}
	return AnomalyMaxWindowDays
}

// WindowAnomalyInputs returns the steps of the cart funnel for device,
// each over its own window (AnomalyWindowDays, from history alone):
// window holds the device's sessions on each window-day, history the
// same days' sessions summed over the AnomalyHistoryWeeks weeks before.
// Each input's Today counts are its window's, its History counts those
// of the same days shifted by 1 to AnomalyHistoryWeeks weeks, and Days
// the window's length.
func WindowAnomalyInputs(device Device, history, window WindowDayTallies) []AnomalyInput {
	var byDays [AnomalyMaxWindowDays][]AnomalyInput
	var h, w [StageCompleted + 1]int64
	for k := range AnomalyMaxWindowDays {
		for st := range h {
			h[st] += history[k][st]
			w[st] += window[k][st]
		}
		byDays[k] = CartAnomalyInputs(device, h, w)
	}
	out := make([]AnomalyInput, len(byDays[0]))
	for i := range out {
		var entering [AnomalyMaxWindowDays]int64
		for k := range entering {
			entering[k] = byDays[k][i].HistoryEntering
		}
		k := AnomalyWindowDays(entering)
		out[i] = byDays[k-1][i]
		out[i].Days = k
	}
	return out
}
