package faults

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/bench/loadgen"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

const (
	apiKey    = "faults-api-key"
	apiSecret = "faults-api-secret-0123456789"
	shopName  = "faults.myshopify.com"
)

var encKey = []byte("funnelscope-fault-key-32-bytes!!")

// binary is the app binary, built once for the package.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// appBinary builds the funnelscope binary (once) and returns its path.
func appBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "funnelscope-faults-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "funnelscope")
		// -trimpath: without it the build cache keys every package of
		// this module by the clone's folder, so a fresh clone (as CI
		// makes) compiles them all again; with it a clone elsewhere
		// reuses the previous run's objects.
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, "github.com/funnelscope/funnelscope")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freePort returns a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// installShop migrates the database and installs the test shop, as an
// OAuth install would have, before the binary starts.
func installShop(t *testing.T, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dbURL, store.Options{EncryptionKey: encKey})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.Install(t, st, shopName)
}

// app is one run of the binary.
type app struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	err  error
}

// startApp runs `funnelscope serve` on dbURL and a free port and waits
// until it answers /healthz; it is killed at the end of the test if still
// running. A port found free can be taken before the app binds it (the
// kernel hands it out again, as the source port of another test's
// connection): the app then exits saying so, and it is started again on
// another port.
func startApp(t *testing.T, dbURL string, env ...string) *app {
	t.Helper()
	for attempt := 1; ; attempt++ {
		a, logs := launchApp(t, dbURL, env)
		if a.answers(t) {
			return a
		}
		if !strings.Contains(logs.String(), "address already in use") || attempt == 3 {
			t.Fatalf("the app exited before answering: %v", a.err)
		}
	}
}

// launchApp starts the binary on a free port, its output in the buffer
// it returns.
func launchApp(t *testing.T, dbURL string, env []string) (*app, *testkit.LogBuffer) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(appBinary(t), "serve")
	cmd.Env = append(os.Environ(),
		"SHOPIFY_API_KEY="+apiKey, "SHOPIFY_API_SECRET="+apiSecret, "SHOPIFY_APP_URL=https://faults.invalid",
		"TOKEN_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(encKey),
		"DATABASE_URL="+dbURL, "PORT="+strconv.Itoa(port))
	cmd.Env = append(cmd.Env, env...)
	logs := &testkit.LogBuffer{} // the child's two output pipes
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a := &app{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	go func() { a.err = cmd.Wait(); close(a.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-a.done
		if t.Failed() {
			t.Logf("app output:\n%s", tail(logs.String(), 4000))
		}
	})
	return a, logs
}

// answers waits until the app answers /healthz (true) or exits (false).
func (a *app) answers(t *testing.T) bool {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(a.url + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-a.done:
			return false
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the app did not answer /healthz within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wait waits up to d for the app to exit and returns its error.
func (a *app) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-a.done:
		return a.err
	case <-time.After(d):
		t.Fatalf("the app did not exit within %s", d)
		return nil
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// deliveries returns the deliveries of n journeys of the test shop that
// started days ago (so statuses are stable), interleaved as live traffic.
func deliveries(t *testing.T, prefix string, n int, seed uint64) []loadgen.Delivery {
	t.Helper()
	dir, err := loadgen.FixturesDir()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := loadgen.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Carts created over a day that ended two days ago.
	end := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	crowd := loadgen.Mix(prefix, end, 24*time.Hour, seed).Crowd()
	var js [][]loadgen.Delivery
	for range n {
		js = append(js, tmpl.Journey(shopName, crowd.Next()))
	}
	return loadgen.Interleave(js, 50, rand.New(rand.NewPCG(seed, 1)))
}

// outcome is what became of each posted delivery.
type outcome struct {
	mu       sync.Mutex
	acked    map[string]bool // answered 2xx
	rejected map[string]int  // answered with this non-2xx status
	failed   map[string]bool // no answer (refused, reset, timed out)
}

func newOutcome() *outcome {
	return &outcome{acked: map[string]bool{}, rejected: map[string]int{}, failed: map[string]bool{}}
}

func (o *outcome) record(id string, code int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case err != nil:
		o.failed[id] = true
	case code >= 200 && code < 300:
		o.acked[id] = true
	default:
		o.rejected[id] = code
	}
}

// waitAcked waits until n deliveries were acknowledged, so that a fault
// hits the load in its middle whatever the machine's speed.
func (o *outcome) waitAcked(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		o.mu.Lock()
		got := len(o.acked)
		o.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d deliveries acknowledged after 20s", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitRejected waits until n deliveries were answered with a status other
// than 2xx, or done closes.
func (o *outcome) waitRejected(t *testing.T, n int, done <-chan struct{}) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		o.mu.Lock()
		got := len(o.rejected)
		o.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-done:
			return
		case <-deadline:
			t.Fatalf("only %d deliveries answered other than 2xx after 20s", got)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// post sends ds with conc workers until they are all sent or stop closes;
// it returns when every worker has finished its request in flight.
func post(poster *loadgen.Poster, ds []loadgen.Delivery, conc int, o *outcome, stop <-chan struct{}) {
	next := make(chan loadgen.Delivery)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for d := range next {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				code, err := poster.Post(ctx, d)
				cancel()
				o.record(d.ID, code, err)
			}
		})
	}
feed:
	for _, d := range ds {
		select {
		case next <- d:
		case <-stop:
			break feed
		}
	}
	close(next)
	wg.Wait()
}

func newPoster(url string) *loadgen.Poster {
	return &loadgen.Poster{BaseURL: url, Secret: apiSecret, Client: &http.Client{Timeout: 10 * time.Second}}
}

// storedIDs returns the webhook ids recorded in the database.
func storedIDs(t *testing.T, dbURL string) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dbURL, store.Options{EncryptionKey: encKey})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	rows, err := st.DB().QueryContext(ctx, "SELECT webhook_id FROM deliveries WHERE webhook_id IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAckedStored fails the test for each acknowledged delivery missing
// from the database.
func checkAckedStored(t *testing.T, dbURL string, o *outcome) {
	t.Helper()
	stored := storedIDs(t, dbURL)
	missing := 0
	for id := range o.acked {
		if !stored[id] {
			missing++
			if missing <= 5 {
				t.Errorf("delivery %s was acknowledged but is not stored", id)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged deliveries lost", missing, len(o.acked))
	}
}

// resendUntilAccepted resends every delivery not acknowledged yet until
// each is answered 200, within d.
func resendUntilAccepted(t *testing.T, poster *loadgen.Poster, ds []loadgen.Delivery, o *outcome, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var todo []loadgen.Delivery
		o.mu.Lock()
		for _, x := range ds {
			if !o.acked[x.ID] {
				todo = append(todo, x)
			}
		}
		o.mu.Unlock()
		if len(todo) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still not accepted after %s of resending", len(todo), d)
		}
		post(poster, todo, 4, o, nil)
		time.Sleep(100 * time.Millisecond)
	}
}

// pgURL returns a fresh, migrated schema of the shared test database with
// the shop installed.
func pgURL(t *testing.T) string {
	t.Helper()
	u := storetest.URL(t, store.DialectPostgres)
	installShop(t, u)
	return u
}

// --- a throwaway PostgreSQL cluster -------------------------------------

// cluster is a PostgreSQL server of the test's own.
type cluster struct {
	bin, data, sock string
	port            int
}

// pgBin finds PostgreSQL's server binaries; their absence fails the test.
func pgBin(t *testing.T) string {
	t.Helper()
	for _, dir := range []string{os.Getenv("FUNNELSCOPE_PG_BIN"), "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	t.Fatal("initdb not found (PostgreSQL server binaries are required: /usr/lib/postgresql/15/bin or FUNNELSCOPE_PG_BIN)")
	return ""
}

// asPostgres builds a command run as the postgres OS user when the test
// runs as root (the server refuses to run as root).
func asPostgres(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

// newCluster initdb's and starts a cluster on a free port in a temporary
// directory; Cleanup stops it and removes the directory.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	bin := pgBin(t)
	dir, err := os.MkdirTemp("", "funnelscope-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{bin: bin, data: filepath.Join(dir, "data"), sock: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = asPostgres(filepath.Join(bin, "pg_ctl"), "stop", "-D", c.data, "-m", "immediate", "-w", "-t", "20").Run()
		_ = os.RemoveAll(dir)
	})
	out, err := asPostgres(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput()
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start(t)
	return c
}

func (c *cluster) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=32MB -c fsync=on", c.port, c.sock)
	out, err := asPostgres(filepath.Join(c.bin, "pg_ctl"), "start", "-D", c.data, "-o", opts, "-l", filepath.Join(c.sock, "log"), "-w", "-t", "30").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.sock, "log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, tail(string(log), 2000))
	}
}

func (c *cluster) stop(t *testing.T) {
	t.Helper()
	out, err := asPostgres(filepath.Join(c.bin, "pg_ctl"), "stop", "-D", c.data, "-m", "fast", "-w", "-t", "30").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// isRefused reports a connection the app refused.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}
