package faults

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/bench/loadgen"
	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestPostgresRestartMidLoad stops PostgreSQL in the middle of a load and
// starts it again: what was acknowledged is stored, the rest is accepted
// when resent, and the same app process serves on.
func TestPostgresRestartMidLoad(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	dbURL := c.url()
	installShop(t, dbURL)
	a := startApp(t, dbURL)
	poster := newPoster(a.url)
	ds := deliveries(t, "pg-", 300, 1)

	o := newOutcome()
	var wg sync.WaitGroup
	posted := make(chan struct{})
	wg.Go(func() { post(poster, ds, 8, o, nil); close(posted) })
	o.waitAcked(t, 100)
	c.stop(t)
	// The database stays down until the outage has been answered, not for a
	// while: until the app has answered 5xx to 20 deliveries (or the load
	// has all been sent, which the checks below then judge).
	o.waitRejected(t, 20, posted)
	c.start(t)
	wg.Wait()

	o.mu.Lock()
	acked, rejected, failed := len(o.acked), len(o.rejected), len(o.failed)
	for id, code := range o.rejected {
		if code < 500 {
			t.Errorf("delivery %s answered %d during the outage, want 5xx so that Shopify retries", id, code)
		}
	}
	o.mu.Unlock()
	t.Logf("first pass: %d acknowledged, %d answered 5xx, %d without answer", acked, rejected, failed)
	if rejected == 0 {
		t.Errorf("no delivery was answered 5xx: the outage did not hit the load")
	}
	select {
	case <-a.done:
		t.Fatal("the app exited during the outage")
	default:
	}
	checkAckedStored(t, dbURL, o)
	resendUntilAccepted(t, poster, ds, o, 30*time.Second)
	checkAckedStored(t, dbURL, o)
	if n := len(storedIDs(t, dbURL)); n != len(ds) {
		t.Fatalf("%d deliveries stored, want %d", n, len(ds))
	}
	select {
	case <-a.done:
		t.Fatal("the app exited")
	default:
	}
}

// TestSIGTERMMidLoad: on SIGTERM the app finishes what is in flight with
// 2xx, refuses what comes after, exits cleanly and loses nothing it
// acknowledged.
func TestSIGTERMMidLoad(t *testing.T) {
	t.Parallel()
	dbURL := pgURL(t)
	a := startApp(t, dbURL)
	poster := newPoster(a.url)
	ds := deliveries(t, "term-", 400, 2)

	o := newOutcome()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { post(poster, ds, 8, o, stop) })
	o.waitAcked(t, 100)
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := a.wait(t, 40*time.Second); err != nil {
		t.Errorf("the app exited with %v after SIGTERM, want a clean exit", err)
	}
	// The load kept coming while the app shut down; stop it now.
	close(stop)
	wg.Wait()

	o.mu.Lock()
	for id, code := range o.rejected {
		t.Errorf("delivery %s answered %d during shutdown: in-flight requests must finish with 2xx", id, code)
	}
	t.Logf("%d acknowledged, %d refused", len(o.acked), len(o.failed))
	o.mu.Unlock()
	if len(o.acked) == 0 {
		t.Fatal("nothing was acknowledged before SIGTERM")
	}
	// New requests are refused once it has gone.
	if _, err := poster.Post(t.Context(), ds[0]); err == nil {
		t.Error("a request after shutdown got an answer")
	} else if !isRefused(err) {
		t.Logf("after shutdown: %v", err)
	}
	checkAckedStored(t, dbURL, o)
}

// TestSIGKILLMidLoad: after a SIGKILL mid-load and a restart, everything
// acknowledged before the kill is there, and the rest is accepted.
func TestSIGKILLMidLoad(t *testing.T) {
	t.Parallel()
	dbURL := pgURL(t)
	a := startApp(t, dbURL)
	poster := newPoster(a.url)
	ds := deliveries(t, "kill-", 400, 3)

	o := newOutcome()
	var wg sync.WaitGroup
	wg.Go(func() { post(poster, ds, 8, o, nil) })
	o.waitAcked(t, 100)
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.wait(t, 10*time.Second)
	wg.Wait()
	o.mu.Lock()
	t.Logf("before the kill: %d acknowledged, %d without answer", len(o.acked), len(o.failed)+len(o.rejected))
	o.mu.Unlock()
	if len(o.acked) == 0 {
		t.Fatal("nothing was acknowledged before SIGKILL")
	}
	checkAckedStored(t, dbURL, o)

	b := startApp(t, dbURL)
	resendUntilAccepted(t, newPoster(b.url), ds, o, 30*time.Second)
	if n := len(storedIDs(t, dbURL)); n != len(ds) {
		t.Fatalf("%d deliveries stored after the restart, want %d", n, len(ds))
	}
}

// withoutClock drops the fields of a funnel report that follow the time of
// the request rather than the deliveries: the part of the range that has
// passed, and the monthly estimates scaled by it.
func withoutClock(t *testing.T, body []byte) string {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("funnel report: %v", err)
	}
	delete(r, "elapsed_days")
	ops, _ := r["opportunities"].([]any)
	for _, o := range ops {
		if m, ok := o.(map[string]any); ok {
			delete(m, "monthly_opportunity")
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReplayOrderIndependent replays one delivery log, Shopify's
// redeliveries included, into three fresh databases, each in its own
// random order and concurrently; the three funnel reports are identical.
func TestReplayOrderIndependent(t *testing.T) {
	t.Parallel()
	log := deliveries(t, "replay-", 120, 4)
	rng := rand.New(rand.NewPCG(4, 4))
	log = append(log, log[:40]...) // redelivered with the same webhook ids
	for _, d := range log[40:60] {
		dup := d
		dup.ID += "-again" // a second subscription: a new webhook id
		log = append(log, dup)
	}
	from := time.Now().UTC().AddDate(0, 0, -5).Format("2006-01-02")
	to := time.Now().UTC().Format("2006-01-02")
	var reports []string
	for i := range 3 {
		dbURL := storetest.URL(t, store.DialectPostgres)
		installShop(t, dbURL)
		// The abandonment scan flags idle sessions while the replay runs;
		// a session it flags before its order arrives counts as recovered,
		// which depends on when the scan ran, not on the deliveries. An idle
		// threshold longer than the journeys' age (about 3 days) keeps the
		// scan out of it: the longest there is, 7 days.
		a := startApp(t, dbURL, "ABANDON_AFTER=168h")
		order := append([]loadgen.Delivery(nil), log...)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		o := newOutcome()
		post(newPoster(a.url), order, 8, o, nil)
		if len(o.rejected)+len(o.failed) > 0 {
			t.Fatalf("replay %d: %d deliveries not accepted", i, len(o.rejected)+len(o.failed))
		}
		tok, err := shopify.MintSessionToken(apiKey, apiSecret, shopName, "42", time.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, a.url+"/api/funnel?from="+from+"&to="+to+"&segment=source", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("replay %d: /api/funnel %d %s", i, resp.StatusCode, body)
		}
		reports = append(reports, withoutClock(t, body))
	}
	if reports[0] != reports[1] || reports[0] != reports[2] {
		t.Fatalf("reports differ:\n%s\n%s\n%s", reports[0], reports[1], reports[2])
	}
	t.Logf("identical reports of %d bytes", len(reports[0]))
}
