package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/funnelscope/funnelscope/store"
)

// maxCollectGroup is the most /collect batches one transaction commits:
// 64 batches of up to 200 events.
const maxCollectGroup = 64

// errCollectStopping answers the batches that arrive, or still wait,
// while the app stops: they were not committed, and the pixel may send
// them again.
var errCollectStopping = errors.New("app: the server is stopping; the batch was not committed")

// collectCommit is the group commit of POST /collect, the webhooks' one
// (groupCommit) for storefront batches: the batches that arrive while a
// commit is under way share the next transaction, each is answered only
// after the commit that made it durable, and at a trickle a batch commits
// alone at once. No goroutine runs while nothing waits; stop drains it.
type collectCommit struct {
	log *slog.Logger
	// ingest is store.IngestStorefront; a test may hold it at a gate.
	ingest  func(context.Context, []store.StorefrontBatch) error
	ctx     context.Context
	cancel  context.CancelFunc
	leaders int

	mu        sync.Mutex
	queue     []*waitingBatch
	running   int
	stopping  bool
	idle      chan struct{}
	idleClose sync.Once
}

// waitingBatch is a batch waiting for its commit.
type waitingBatch struct {
	batch store.StorefrontBatch
	done  chan error // buffered: the leader never waits for a reader
}

func newCollectCommit(st *store.Store, log *slog.Logger) *collectCommit {
	g := &collectCommit{log: log, ingest: st.IngestStorefront, leaders: st.Writers(), idle: make(chan struct{})}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	return g
}

// commit stores b with whatever else is waiting and returns once it is
// durable; an error means it may not be (answer 503).
func (g *collectCommit) commit(ctx context.Context, b store.StorefrontBatch) error {
	w := &waitingBatch{batch: b, done: make(chan error, 1)}
	g.mu.Lock()
	if g.stopping {
		g.mu.Unlock()
		return errCollectStopping
	}
	g.queue = append(g.queue, w)
	if g.running == 0 || (g.running < g.leaders && len(g.queue) >= backlog) {
		g.running++
		go g.lead(g.ctx)
	}
	g.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lead commits groups from the queue until it is empty.
func (g *collectCommit) lead(ctx context.Context) {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxCollectGroup)
		if n == 0 {
			g.running--
			if g.stopping && g.running == 0 {
				g.idleClose.Do(func() { close(g.idle) })
			}
			g.mu.Unlock()
			return
		}
		group := make([]*waitingBatch, n)
		copy(group, g.queue)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		g.commitGroup(ctx, group)
	}
}

// commitGroup ingests the group in one transaction; when that fails, each
// batch is tried alone, so that one the database refuses fails no other.
func (g *collectCommit) commitGroup(ctx context.Context, group []*waitingBatch) {
	ctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	batches := make([]store.StorefrontBatch, len(group))
	for i, w := range group {
		batches[i] = w.batch
	}
	err := g.safeIngest(ctx, batches)
	if err != nil && len(group) > 1 {
		g.log.WarnContext(ctx, "storefront batch group failed; committing its batches one by one", "size", len(group), "error", err)
		for i, w := range group {
			w.done <- g.safeIngest(ctx, batches[i:i+1])
		}
		return
	}
	for _, w := range group {
		w.done <- err
	}
}

// safeIngest is ingest on the leader's goroutine, where no middleware
// recovers a panic: one becomes the group's error.
func (g *collectCommit) safeIngest(ctx context.Context, batches []store.StorefrontBatch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("app: ingesting %d storefront batches panicked: %v", len(batches), r)
			g.log.ErrorContext(ctx, "storefront batch panicked", "size", len(batches), "panic", r, "stack", string(debug.Stack()))
		}
	}()
	return g.ingest(ctx, batches)
}

// stop refuses new batches and waits until every batch taken is committed
// and answered; should ctx end first, the waiting ones are answered
// errCollectStopping and the commits under way cancelled.
func (g *collectCommit) stop(ctx context.Context) error {
	g.mu.Lock()
	g.stopping = true
	if g.running == 0 {
		g.idleClose.Do(func() { close(g.idle) })
	}
	g.mu.Unlock()
	select {
	case <-g.idle:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	left := g.queue
	g.queue = nil
	g.mu.Unlock()
	for _, w := range left {
		w.done <- errCollectStopping
	}
	g.cancel()
	<-g.idle
	return fmt.Errorf("app: stopping the storefront commits: %d waiting batches answered without a commit: %w", len(left), ctx.Err())
}
