//go:build !race

package funnel

// raceSlowdown divides propertyCases under the race detector; without it
// every case runs.
const raceSlowdown = 1
