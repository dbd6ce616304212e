package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

// htmlFigures is the time to the report's HTML, as the admin opens the
// page and as its script swaps in another range, beside the ceiling: the
// same HTTP stack and one database round trip.
type htmlFigures struct {
	page, view, ceiling []time.Duration
}

// timeReportHTML times n rounds of three requests, interleaved so that
// each round sees the machine in one state: GET / (the whole report page,
// rendered on the server, session token in the query as the admin sends
// it), GET /api/view/report (the report view alone, token in the header,
// as the page's script asks for it) over from–to, and GET /readyz (echo,
// the middleware and a ping of the database: the ceiling). Each answer
// is checked to be the report it should be.
func timeReportHTML(ctx context.Context, base, shop, from, to string, n int, deadline time.Time) (htmlFigures, error) {
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
	return f, nil
}
