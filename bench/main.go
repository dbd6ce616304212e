// Command bench measures Funnelscope on PostgreSQL and prints figures, the
// last line of each command being one line of them:
//
//	go run ./bench ingest [flags]   webhooks/s at saturation, the same rows
//	                                written by a plain pgx loop (the ceiling),
//	                                p50/p99 acknowledgement at a fixed rate, RSS
//	go run ./bench report [flags]   /api/funnel p50/p99 for a shop of a million
//	                                sessions among others as large, a naive
//	                                GROUP BY for the same answer, RSS; the
//	                                report's HTML (GET /, /api/view/report)
//	                                p50/p95 beside GET /readyz
//	go run ./bench collect [flags]  POST /collect events/s at saturation
//	                                beside the same rows written with pgx
//	                                COPY (the ceiling), p50/p99
//	                                acknowledgement at a fixed event rate, RSS
//
// ingest and collect run the app as `funnelscope serve`, built from this module, in a
// process of its own (-in-process: app.New served from this one); report
// serves it from this process. Every request goes to 127.0.0.1. Each run
// works in fresh schemas of DATABASE_URL (default the CI database) that it
// drops at the end, so it never touches anybody else's data. Every loop is
// bounded in count and in time. See BENCHMARKS.md for figures and how they
// were made.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/app"
	"github.com/funnelscope/funnelscope/store"
)

const (
	apiKey        = "bench-api-key"
	apiSecret     = "bench-api-secret-0123456789"
	encryptionKey = "funnelscope-bench-key-32-bytes!!"
	defaultDB     = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench ingest|report|collect [flags]  (-h for flags)")
		os.Exit(2)
	}
	// stop is called when the command returns, not deferred: os.Exit
	// would skip a deferred call.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The app runs in this process: collect garbage as serve does.
	app.TuneGC(os.Getenv)
	var err error
	switch os.Args[1] {
	case "ingest":
		err = ingest(ctx, os.Args[2:])
	case "report":
		err = report(ctx, os.Args[2:])
	case "collect":
		err = collect(ctx, os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "usage: go run ./bench ingest|report|collect [flags]")
		os.Exit(2)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// databaseURL is DATABASE_URL or the CI database; it must be PostgreSQL.
func databaseURL() (string, error) {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		u = defaultDB
	}
	if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL")
	}
	return u, nil
}

// schema is a schema of the bench's own in the database.
type schema struct {
	name, url string
	admin     *pgx.Conn
}

// newSchema creates a schema (a fresh random one when name is "") and
// returns the database URL whose search_path is it.
func newSchema(ctx context.Context, base, name string) (*schema, error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", redact(base), err)
	}
	if name == "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name = "bench_" + hex.EncodeToString(b)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
		_ = conn.Close(ctx)
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return &schema{name: name, url: u.String(), admin: conn}, nil
}

// folded waits until the app in the schema has folded every storefront
// event it accepted (its storefront_inbox is empty) and returns how long
// that took; it gives up after two minutes.
func (s *schema) folded(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	q := "SELECT count(*) FROM " + pgx.Identifier{s.name, "storefront_inbox"}.Sanitize()
	for {
		var n int
		if err := s.admin.QueryRow(ctx, q).Scan(&n); err != nil {
			return 0, fmt.Errorf("reading the storefront inbox: %w", err)
		}
		if n == 0 {
			return time.Since(start), nil
		}
		if time.Since(start) > 2*time.Minute {
			return 0, fmt.Errorf("%d inbox rows still unfolded after 2 minutes", n)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// vacuum vacuums and analyzes the schema's tables.
func (s *schema) vacuum(ctx context.Context) error {
	rows, err := s.admin.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1", s.name)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for i, n := range names {
		names[i] = pgx.Identifier{s.name, n}.Sanitize()
	}
	if len(names) == 0 {
		return nil
	}
	if _, err := s.admin.Exec(ctx, "VACUUM (ANALYZE) "+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("vacuuming schema %s: %w", s.name, err)
	}
	return nil
}

// drop removes the schema and everything in it.
func (s *schema) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{s.name}.Sanitize()+" CASCADE"); err != nil {
		fmt.Fprintln(os.Stderr, "bench: dropping schema", s.name+":", err)
	}
	_ = s.admin.Close(ctx)
}

// runningApp is the app served on 127.0.0.1.
type runningApp struct {
	url   string
	store *store.Store
	app   *app.App
	srv   *http.Server
}

// startApp opens a store on dbURL with migrations applied and serves the
// app on a loopback port, as main.run does.
func startApp(ctx context.Context, dbURL string, pool int) (*runningApp, error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, dbURL, store.Options{EncryptionKey: []byte(encryptionKey), Logger: logger, MaxOpenConns: pool})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	a, err := app.New(app.Config{
		APIKey: apiKey, APISecret: apiSecret, AppURL: "https://bench.invalid", Scopes: "read_orders",
		APIVersion: app.DefaultAPIVersion, AbandonAfter: time.Hour, PayloadRetention: app.DefaultPayloadRetention,
	}, st, app.Options{Logger: logger})
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	if err := a.Start(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &runningApp{url: "http://" + ln.Addr().String(), store: st, app: a, srv: srv}, nil
}

func (r *runningApp) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
	_ = r.app.Stop(ctx)
	_ = r.store.Close()
}

// installShops installs shops bench-0 … bench-(n-1) and returns their ids.
func installShops(ctx context.Context, st *store.Store, n int) ([]string, []int64, error) {
	domains := make([]string, n)
	ids := make([]int64, n)
	for i := range n {
		domains[i] = fmt.Sprintf("bench-%d.myshopify.com", i)
		sh, err := st.InstallShop(ctx, domains[i], store.Tokens{AccessToken: "shpat_bench", Scope: "read_orders"}, nil)
		if err != nil {
			return nil, nil, err
		}
		ids[i] = sh.ID
	}
	return domains, ids, nil
}

// prepareSchema migrates dbURL's schema and installs n shops in it, as
// installShops does.
func prepareSchema(ctx context.Context, dbURL string, n int) ([]string, []int64, error) {
	var domains []string
	var ids []int64
	err := withShops(ctx, dbURL, n, func(_ *store.Store, d []string, i []int64) error {
		domains, ids = d, i
		return nil
	})
	return domains, ids, err
}

// withShops migrates dbURL's schema, installs n shops in it (installShops)
// and calls fn with the store and the shops before closing it.
func withShops(ctx context.Context, dbURL string, n int, fn func(st *store.Store, domains []string, ids []int64) error) error {
	st, err := store.Open(ctx, dbURL, store.Options{EncryptionKey: []byte(encryptionKey), MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	domains, ids, err := installShops(ctx, st, n)
	if err != nil {
		return err
	}
	return fn(st, domains, ids)
}

// procDir is /proc/PID, or /proc/self for pid 0.
func procDir(pid int) string {
	if pid == 0 {
		return "/proc/self"
	}
	return "/proc/" + strconv.Itoa(pid)
}

// resetPeakRSS starts a new peak-RSS measurement of process pid (0: this
// one).
func resetPeakRSS(pid int) { _ = os.WriteFile(procDir(pid)+"/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM of process pid (0: this one) in MB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(procDir(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// percentile returns the p-th percentile (0..100) of d, nearest rank.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// flagSet is a FlagSet that exits on -h.
func flagSet(name string) *flag.FlagSet { return flag.NewFlagSet("bench "+name, flag.ExitOnError) }
