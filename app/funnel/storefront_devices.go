package funnel

// DeviceCell is one device's figures at one stage of the device
// comparison, with the cart funnel's rate rules (unrounded, null where the
// denominator is 0), and the verdict of the step into the stage against
// that device's benchmark where there is one (else "").
type DeviceCell struct {
	Device           Device   `json:"device"`
	Label            string   `json:"label"`
	Sessions         int64    `json:"sessions"`
	RateFromPrevious *float64 `json:"rate_from_previous"`
	RateFromStart    *float64 `json:"rate_from_start"`
	Band             Verdict  `json:"band,omitempty"`
}

// DeviceStep is one stage of the device comparison: the devices side by
// side.
type DeviceStep struct {
	Key     string       `json:"key"`
	Label   string       `json:"label"`
	Devices []DeviceCell `json:"devices"`
}

// DeviceComparison puts the storefront funnels of the devices side by side
// at every stage: mobile, tablet and desktop always, then unknown when it
// has visits, so that the columns add up to the whole at every stage.
// tallies holds each device's StorefrontTally (a device absent has none).
func DeviceComparison(tallies map[Device]StorefrontTally) []DeviceStep {
	devices := Devices()
	if tallies[DeviceUnknown].Visits() > 0 {
		devices = append(devices, DeviceUnknown)
	}
	reached := make(map[Device][storefrontStageCount]int64, len(devices))
	for _, d := range devices {
		reached[d] = tallies[d].Reached()
	}
	steps := make([]DeviceStep, 0, storefrontStageCount)
	for _, st := range StorefrontStages() {
		ds := DeviceStep{Key: st.Key(), Label: st.Label(), Devices: make([]DeviceCell, 0, len(devices))}
		for _, d := range devices {
			r := reached[d]
			c := DeviceCell{Device: d, Label: d.Label(), Sessions: r[st], RateFromStart: rate(r[st], r[StorefrontVisited])}
			if st > StorefrontVisited {
				c.RateFromPrevious = rate(r[st], r[st-1])
				if b, ok := StorefrontBenchmarkFor(st, PerVisit, d); ok && st-1 == b.From {
					c.Band = b.judge(r[st-1], r[st])
				}
			}
			ds.Devices = append(ds.Devices, c)
		}
		steps = append(steps, ds)
	}
	return steps
}
