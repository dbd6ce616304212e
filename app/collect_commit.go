package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/funnelscope/funnelscope/store"
)

// errCollectStopping answers the batches that arrive, or still wait,
// while the app stops: they were not committed, and the pixel may send
// them again.
var errCollectStopping = errors.New("app: the server is stopping; the batch was not committed")

// collectCommit is the group commit (groupQueue) of POST /collect: the
// storefront batches that arrive together share one transaction, and each
// is answered only after the commit that made it durable.
type collectCommit struct {
	log *slog.Logger
	// ingest is store.AcceptStorefront; a test may hold it at a gate.
	ingest func(context.Context, []store.StorefrontBatch) error
	// accepted runs after each group's commit (it wakes the storefront
	// folder; after a failed one it finds nothing new).
	accepted func()
	queue    *groupQueue[store.StorefrontBatch, error]
}

func newCollectCommit(st *store.Store, log *slog.Logger, accepted func()) *collectCommit {
	g := &collectCommit{log: log, ingest: st.AcceptStorefront, accepted: accepted}
	g.queue = newGroupQueue(st.Writers(), errCollectStopping, errCollectStopping, g.commitGroup)
	return g
}

// commit stores b with whatever else is waiting and returns once it is
// durable; an error means it may not be (answer 503).
func (g *collectCommit) commit(ctx context.Context, b store.StorefrontBatch) error {
	r, err := g.queue.submit(ctx, b)
	if err != nil {
		return err
	}
	return r
}

// stop drains the queue (groupQueue.stop): after it, nothing more is
// committed, so the store may close.
func (g *collectCommit) stop(ctx context.Context) error {
	if err := g.queue.stop(ctx); err != nil {
		return fmt.Errorf("app: stopping the storefront commits: %w", err)
	}
	return nil
}

// commitGroup ingests the group in one transaction; when that fails, each
// batch is tried alone, so that one the database refuses fails no other.
func (g *collectCommit) commitGroup(ctx context.Context, batches []store.StorefrontBatch) []error {
	errs := make([]error, len(batches))
	defer g.accepted()
	err := g.safeIngest(ctx, batches)
	if err != nil && len(batches) > 1 {
		g.log.WarnContext(ctx, "storefront batch group failed; committing its batches one by one", "size", len(batches), "error", err)
		for i := range batches {
			errs[i] = g.safeIngest(ctx, batches[i:i+1])
		}
		return errs
	}
	for i := range errs {
		errs[i] = err
	}
	return errs
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
