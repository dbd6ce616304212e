package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuTimes is CPU time used so far by this process (the load generator,
// and the app when it runs in this process), by the app's process when it
// runs in its own, and by each of the PostgreSQL server's processes when
// it runs on this machine; read from /proc, so zero elsewhere.
type cpuTimes struct {
	self, app time.Duration
	postgres  map[string]time.Duration // by /proc path
}

// readCPU reads utime and stime of this process, of the app's process
// appPID (0: none) and of every process named postgres.
func readCPU(appPID int) cpuTimes {
	c := cpuTimes{self: procCPU("/proc/self/stat"), postgres: map[string]time.Duration{}}
	if appPID != 0 {
		c.app = procCPU(procDir(appPID) + "/stat")
	}
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), "(postgres)") {
			c.postgres[p] = statCPU(string(b))
		}
	}
	return c
}

// procCPU reads one stat file.
func procCPU(path string) time.Duration {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return statCPU(string(b))
}

// statCPU is utime + stime of a /proc/PID/stat line, in clock ticks of
// 10 ms (USER_HZ is 100 on Linux).
func statCPU(stat string) time.Duration {
	// The command name is in parentheses and may hold spaces; the fields
	// after it are space-separated, utime and stime being the 12th and 13th.
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// perItem is the CPU used between two readings per item done, in µs: of
// this process, of the app's and of PostgreSQL's. A PostgreSQL process
// that ended between them is not counted.
func (c cpuTimes) perItem(since cpuTimes, items int64) (self, app, postgres float64) {
	if items == 0 {
		return 0, 0, 0
	}
	var pg time.Duration
	for p, t := range c.postgres {
		pg += t - since.postgres[p]
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) / float64(items) }
	return us(c.self - since.self), us(c.app - since.app), us(pg)
}

// commitCounts are the app's group commits so far: deliveries and commits.
type commitCounts struct{ deliveries, commits float64 }

// commitStats reads the app's /metrics; zero when it cannot.
func commitStats(appURL string) commitCounts {
	var c commitCounts
	resp, err := http.Get(appURL + "/metrics")
	if err != nil {
		return c
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			switch f[0] {
			case "funnelscope_webhook_commit_batch_size_sum":
				c.deliveries, _ = strconv.ParseFloat(f[1], 64)
			case "funnelscope_webhook_commit_batch_size_count":
				c.commits, _ = strconv.ParseFloat(f[1], 64)
			}
		}
	}
	return c
}

// meanSince is the mean number of deliveries per commit since before.
func (c commitCounts) meanSince(before commitCounts) float64 {
	if c.commits == before.commits {
		return 0
	}
	return (c.deliveries - before.deliveries) / (c.commits - before.commits)
}
