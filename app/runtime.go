package app

import "runtime/debug"

// TuneGC sets the garbage collector for a webhook server, unless the
// operator chose with GOGC or GOMEMLIMIT: the live heap is small (about
// 10 MB), so at the default GOGC=100 a busy server collects every few
// milliseconds and spends a tenth of its CPU doing it. GOGC=400 collects a
// quarter as often; the 128 MiB soft limit makes it collect sooner should
// the heap ever grow that large.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(128 << 20)
}
