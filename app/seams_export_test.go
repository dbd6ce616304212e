package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/funnelscope/funnelscope/store"
)

// BreakErrorPageForTest makes the error page's template fail whenever it
// is executed, as a template bug would.
func (a *App) BreakErrorPageForTest(t *testing.T) {
	t.Helper()
	pages, err := a.pages.Clone()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pages.New("error.html").Parse(`{{.NoSuchField}}`); err != nil {
		t.Fatal(err)
	}
	a.pages = pages
}

// CommitGate holds the group commit's batches at the database's door:
// each batch waits until the test lets it through (Release, Open) or its
// context ends, and is then committed by the real store with that context.
type CommitGate struct {
	mu       sync.Mutex
	entered  int // deliveries that have reached the gate
	release  chan struct{}
	open     chan struct{}
	openOnce sync.Once
	// through receives each batch's commit error once the store returns.
	through chan error
}

// GateCommitsForTest puts a CommitGate in front of the app's group commit.
func (a *App) GateCommitsForTest() *CommitGate {
	g := &CommitGate{release: make(chan struct{}), open: make(chan struct{}), through: make(chan error, 1000)}
	a.commits.ingestEvents = func(ctx context.Context, items []store.IngestItem) ([]bool, error) {
		g.mu.Lock()
		g.entered += len(items)
		g.mu.Unlock()
		select {
		case <-g.release:
		case <-g.open:
		case <-ctx.Done():
		}
		dup, err := a.store.IngestEvents(ctx, items)
		g.through <- err
		return dup, err
	}
	return g
}

// Entered returns how many deliveries have reached the gate.
func (g *CommitGate) Entered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entered
}

// Release lets one waiting batch through and returns its commit error,
// once the store has returned it.
func (g *CommitGate) Release(t *testing.T) error {
	t.Helper()
	select {
	case g.release <- struct{}{}:
	case <-time.After(15 * time.Second):
		t.Fatal("no batch waits at the commit gate")
	}
	select {
	case err := <-g.through:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("the released batch's commit did not return")
	}
	return nil
}

// Open lets every batch through, now and from now on.
func (g *CommitGate) Open() { g.openOnce.Do(func() { close(g.open) }) }

// WaitingCommits returns how many deliveries wait in the group commit's
// queue (not yet taken into a batch), and whether it is stopping.
func (a *App) WaitingCommits() (waiting int, stopping bool) {
	q := a.commits.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue), q.stopping
}

// UnfinishedJobsForTest returns the kinds of the jobs in the queue that
// have not finished: available, running, pending, or scheduled (a retry
// included). A queue without any has done all the work it was given, and
// what a finished job would have changed has been changed.
func (a *App) UnfinishedJobsForTest(ctx context.Context) ([]string, error) {
	res, err := a.jobs.JobList(ctx, river.NewJobListParams().States(
		rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStatePending,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled).First(100))
	if err != nil {
		return nil, fmt.Errorf("app: listing unfinished jobs: %w", err)
	}
	kinds := make([]string, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		kinds = append(kinds, j.Kind+" ("+string(j.State)+")")
	}
	return kinds, nil
}
