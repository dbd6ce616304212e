package app

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Group commit limits: a group holds at most maxCommitBatch items and, its
// retries included, gives up after commitTimeout.
const (
	maxCommitBatch = 64
	commitTimeout  = 15 * time.Second
	// backlog is how many items must be waiting, while a group commits,
	// before another group starts beside it. Fewer wait for that commit
	// and share the next one, so that at a steady rate a commit carries
	// more than one (BENCHMARKS.md: a sixth less CPU per webhook at
	// 1,000/s).
	backlog = 4
)

// groupQueue is the mechanism of a group commit, shared by the webhooks
// (groupCommit) and the storefront batches (collectCommit): the items that
// arrive while a commit is under way share the next one, each is answered
// only after the commit that made it durable, and at a trickle an item
// commits alone, at once. No goroutine runs while nothing waits. stop
// drains it: every item it took is committed and answered, or answered
// refused and not committed, before the store may close.
type groupQueue[I, R any] struct {
	// flush commits items together and returns one answer per item, in
	// their order. It runs on a leader's goroutine under commitTimeout.
	flush func(ctx context.Context, items []I) []R
	// refused answers an item taken but never committed because the app
	// stops; stopErr answers one offered after stop began.
	refused R
	stopErr error
	// ctx is the leaders' context, cancelled by stop when its own context
	// ends before the commits under way do.
	ctx    context.Context
	cancel context.CancelFunc
	// leaders is how many groups may be in flight at once: while one
	// commits, the next gathers, once backlog items wait.
	leaders int

	mu      sync.Mutex
	queue   []*queued[I, R]
	running int
	// stopping refuses new items; idle is closed once stopping and no
	// leader runs, i.e. once nothing more will be committed.
	stopping  bool
	idle      chan struct{}
	idleClose sync.Once
}

// queued is an item waiting for its commit.
type queued[I, R any] struct {
	item I
	done chan R // buffered: the leader never waits for a reader
}

// newGroupQueue returns a queue that commits up to leaders groups at once
// with flush.
func newGroupQueue[I, R any](leaders int, stopErr error, refused R, flush func(context.Context, []I) []R) *groupQueue[I, R] {
	q := &groupQueue[I, R]{flush: flush, refused: refused, stopErr: stopErr, leaders: leaders, idle: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	return q
}

// submit commits item with whatever else is waiting and returns its
// answer. The error is stopErr when stop has begun (nothing was taken) or
// ctx's when the caller gave up waiting; the item may then still commit.
func (q *groupQueue[I, R]) submit(ctx context.Context, item I) (R, error) {
	w := &queued[I, R]{item: item, done: make(chan R, 1)}
	q.mu.Lock()
	if q.stopping {
		q.mu.Unlock()
		var zero R
		return zero, q.stopErr
	}
	q.queue = append(q.queue, w)
	if q.running == 0 || (q.running < q.leaders && len(q.queue) >= backlog) {
		q.running++
		// The leader outlives the request that started it (it commits
		// the others' items too); stop alone cancels it.
		go q.lead(q.ctx)
	}
	q.mu.Unlock()
	select {
	case r := <-w.done:
		return r, nil
	case <-ctx.Done():
		var zero R
		return zero, ctx.Err()
	}
}

// lead commits groups from the queue until it is empty.
func (q *groupQueue[I, R]) lead(ctx context.Context) {
	for {
		q.mu.Lock()
		n := min(len(q.queue), maxCommitBatch)
		if n == 0 {
			q.running--
			if q.stopping && q.running == 0 {
				q.idleClose.Do(func() { close(q.idle) })
			}
			q.mu.Unlock()
			return
		}
		group := make([]*queued[I, R], n)
		copy(group, q.queue)
		q.queue = append(q.queue[:0], q.queue[n:]...)
		q.mu.Unlock()
		q.commit(ctx, group)
	}
}

// commit flushes one group and answers each of its items.
func (q *groupQueue[I, R]) commit(ctx context.Context, group []*queued[I, R]) {
	ctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	items := make([]I, len(group))
	for i, w := range group {
		items[i] = w.item
	}
	results := q.flush(ctx, items)
	for i, w := range group {
		w.done <- results[i]
	}
}

// stop refuses new items and waits until every item already taken is
// committed and answered. Should ctx end first, the items still waiting
// are answered refused without being committed, and the commits under way
// are cancelled, so that they roll back and answer their error; stop then
// returns ctx's error, with how many were refused, once the leaders are
// done, which cancelled commits make quick (commitTimeout bounds them in
// any case). An item whose commit is cancelled while the database commits
// it may be answered an error although committed: its sender's retry is
// then a duplicate, and nothing is lost. After stop, nothing more is
// committed, so the store may close.
func (q *groupQueue[I, R]) stop(ctx context.Context) error {
	q.mu.Lock()
	q.stopping = true
	if q.running == 0 {
		q.idleClose.Do(func() { close(q.idle) })
	}
	q.mu.Unlock()
	select {
	case <-q.idle:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	left := q.queue
	q.queue = nil
	q.mu.Unlock()
	for _, w := range left {
		w.done <- q.refused
	}
	q.cancel()
	<-q.idle
	return fmt.Errorf("%d waiting answered without a commit, commits under way cancelled: %w", len(left), ctx.Err())
}
