//go:build race

package funnel

// raceSlowdown divides propertyCases under the race detector.
const raceSlowdown = 4
