package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/shopify"
)

// htmlFigures is the time to the report's HTML, as the admin opens the
// page and as its script swaps in another range, beside the ceiling: the
// same HTTP stack and one database round trip.
type htmlFigures struct {
	page, view, ceiling []time.Duration
	// appCPU and pgCPU are the CPU time per GET / of this process (the app
	// and the client) and of the app's PostgreSQL processes, over pages
	// more requests: unlike wall time, little moved by whatever else
	// runs on the machine.
	appCPU, pgCPU time.Duration
	pages         int
}

// reportAppName is the application_name of the report bench's app's
// database connections.
const reportAppName = "funnelscope-bench-report"

// withAppName is dbURL with application_name set to name.
func withAppName(dbURL, name string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// backendCPU is the CPU time used so far by the PostgreSQL processes
// serving connections named reportAppName (pg_stat_activity), read from
// /proc: zero when PostgreSQL runs elsewhere.
func backendCPU(ctx context.Context, admin *pgx.Conn) (map[int]time.Duration, error) {
	rows, err := admin.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE application_name = $1", reportAppName)
	if err != nil {
		return nil, fmt.Errorf("listing the app's connections: %w", err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, fmt.Errorf("listing the app's connections: %w", err)
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		out[int(pid)] = procCPU(procDir(int(pid)) + "/stat")
	}
	return out, nil
}

// timeReportHTML times n rounds of three requests, interleaved so that
// each round sees the machine in one state: GET / (the whole report page,
// rendered on the server, session token in the query as the admin sends
// it), GET /api/view/report (the report view alone, token in the header,
// as the page's script asks for it) over from–to, and GET /readyz (echo,
// the middleware and a ping of the database: the ceiling). Each answer
// is checked to be the report it should be.
//
// Then it reads the CPU time n more GET / take, in this process and in the
// app's PostgreSQL processes, and profiles this process's meanwhile when
// profile names a file.
func timeReportHTML(ctx context.Context, admin *pgx.Conn, base, shop, from, to string, n int, deadline time.Time, profile string) (htmlFigures, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	var f htmlFigures
	get := func(path string, bearer bool, want string) (time.Duration, error) {
		tok, err := shopify.MintSessionToken(apiKey, apiSecret, shop, "42", time.Now(), time.Minute)
		if err != nil {
			return 0, err
		}
		u := base + path
		if bearer {
			u += "?" + url.Values{"from": {from}, "to": {to}}.Encode()
		} else if path == "/" {
			u += "?" + url.Values{"shop": {shop}, "embedded": {"1"}, "id_token": {tok}, "from": {from}, "to": {to}}.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, err
		}
		if bearer {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, fmt.Errorf("GET %s: %w", path, err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		took := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("GET %s: reading the answer: %w", path, err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			return 0, fmt.Errorf("GET %s: %d, without %q: %.300s", path, resp.StatusCode, want, body)
		}
		return took, nil
	}
	okReport := `data-state="ok"`
	for range 3 { // warm the templates' and the connections' first use
		if _, err := get("/", false, okReport); err != nil {
			return f, err
		}
	}
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		page, err := get("/", false, okReport)
		if err != nil {
			return f, err
		}
		view, err := get("/api/view/report", true, okReport)
		if err != nil {
			return f, err
		}
		ceiling, err := get("/readyz", false, "ready")
		if err != nil {
			return f, err
		}
		f.page, f.view, f.ceiling = append(f.page, page), append(f.view, view), append(f.ceiling, ceiling)
	}

	pgBefore, err := backendCPU(ctx, admin)
	if err != nil {
		return f, err
	}
	if profile != "" {
		stop, err := startCPUProfile(profile)
		if err != nil {
			return f, err
		}
		defer stop()
	}
	selfBefore := procCPU("/proc/self/stat")
	for ; f.pages < n && time.Now().Before(deadline); f.pages++ {
		if _, err := get("/", false, okReport); err != nil {
			return f, err
		}
	}
	selfAfter := procCPU("/proc/self/stat")
	pgAfter, err := backendCPU(ctx, admin)
	if err != nil {
		return f, err
	}
	if f.pages > 0 {
		var pg time.Duration
		for pid, t := range pgAfter {
			pg += t - pgBefore[pid] // a connection opened since counts from zero
		}
		f.appCPU, f.pgCPU = (selfAfter-selfBefore)/time.Duration(f.pages), pg/time.Duration(f.pages)
	}
	return f, nil
}
