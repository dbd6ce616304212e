package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// Group commit limits: a batch holds at most maxCommitBatch deliveries and,
// its retries included, gives up after commitTimeout.
const (
	maxCommitBatch = 64
	commitTimeout  = 15 * time.Second
	// backlog is how many deliveries must be waiting, while a batch
	// commits, before another batch starts beside it. Fewer wait for that
	// commit and share the next one, so that at a steady rate a commit
	// carries more than one (BENCHMARKS.md: a sixth less CPU per webhook
	// at 1,000/s).
	backlog = 4
)

// groupCommit gathers the funnel deliveries that arrive together into one
// transaction and one durable commit, and answers each only after that
// commit. At a trickle a delivery commits alone, at once; under load the
// deliveries that arrive while a commit is under way share the next one,
// so that the cost of a commit, and of looking up the shops, is spread
// over the batch. No goroutine runs while nothing waits. stop drains it:
// every delivery it took is committed and answered, or answered with an
// error (a 503) and not committed, before the store may close.
type groupCommit struct {
	store     *store.Store
	shops     *installedShops
	log       *slog.Logger
	batchSize prometheus.Observer
	// ingestEvents is store.IngestEvents; a test may hold it at a gate.
	ingestEvents func(context.Context, []store.IngestItem) ([]bool, error)
	// ctx is the leaders' context, cancelled by stop when its own context
	// ends before the commits under way do.
	ctx    context.Context
	cancel context.CancelFunc
	// leaders is how many batches may be in flight at once: while one
	// commits, the next gathers, once backlog deliveries wait.
	leaders int

	mu      sync.Mutex
	queue   []*waitingDelivery
	running int
	// stopping refuses new deliveries; idle is closed once stopping and
	// no leader runs, i.e. once nothing more will be committed.
	stopping  bool
	idle      chan struct{}
	idleClose sync.Once
}

// errStopping answers the deliveries that arrive, or still wait, while the
// app stops: they were not committed, and Shopify delivers them again.
var errStopping = errors.New("app: the server is stopping; the delivery was not committed")

// waitingDelivery is a delivery waiting for its commit.
type waitingDelivery struct {
	delivery store.Delivery
	event    *funnel.Event
	done     chan commitResult // buffered: the leader never waits for a reader
}

// commitResult is what became of one delivery.
type commitResult struct {
	// installed is false when the delivery's shop is not installed; it
	// was then not recorded. shopID is the installed shop's id.
	installed bool
	shopID    int64
	duplicate bool
	// err is why the delivery was not committed. When installed is true
	// it is the error of committing the delivery alone (in a batch of its
	// own, or tried alone after its batch failed), so that
	// store.Permanent(err) says the delivery itself is refused.
	err error
}

// newGroupCommit returns the group commit of st, which asks shops whether
// a delivery's shop is installed. It commits as many batches at a time as
// the store has writers (store.Writers).
func newGroupCommit(st *store.Store, shops *installedShops, log *slog.Logger, batchSize prometheus.Observer) *groupCommit {
	g := &groupCommit{store: st, shops: shops, log: log, batchSize: batchSize, leaders: st.Writers(),
		ingestEvents: st.IngestEvents, idle: make(chan struct{})}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	return g
}

// ingest commits d and its event with whatever else is waiting. An error
// means it may not have been committed: the caller answers 5xx and Shopify
// delivers it again. Once stop has begun, nothing is taken: the answer is
// errStopping at once.
func (g *groupCommit) ingest(ctx context.Context, d store.Delivery, ev *funnel.Event) commitResult {
	w := &waitingDelivery{delivery: d, event: ev, done: make(chan commitResult, 1)}
	g.mu.Lock()
	if g.stopping {
		g.mu.Unlock()
		return commitResult{err: errStopping}
	}
	g.queue = append(g.queue, w)
	if g.running == 0 || (g.running < g.leaders && len(g.queue) >= backlog) {
		g.running++
		// The leader outlives the request that started it (it commits
		// the others' deliveries too); stop alone cancels it.
		go g.lead(g.ctx)
	}
	g.mu.Unlock()
	select {
	case r := <-w.done:
		return r
	case <-ctx.Done():
		return commitResult{err: ctx.Err()}
	}
}

// lead commits batches from the queue until it is empty.
func (g *groupCommit) lead(ctx context.Context) {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxCommitBatch)
		if n == 0 {
			g.running--
			if g.stopping && g.running == 0 {
				g.idleClose.Do(func() { close(g.idle) })
			}
			g.mu.Unlock()
			return
		}
		batch := make([]*waitingDelivery, n)
		copy(batch, g.queue)
		g.queue = append(g.queue[:0], g.queue[n:]...)
		g.mu.Unlock()
		g.commit(ctx, batch)
	}
}

// stop refuses new deliveries (errStopping) and waits until every
// delivery already taken is committed and answered. Should ctx end first,
// the deliveries still waiting are answered errStopping without being
// committed, and the commits under way are cancelled, so that they roll
// back and answer their error; stop then returns ctx's error once the
// leaders are done, which cancelled commits make quick (commitTimeout
// bounds them in any case). A delivery whose commit is cancelled while the
// database commits it may be answered 503 although committed: Shopify's
// redelivery is then a duplicate, and nothing is lost. After stop, nothing
// more is committed, so the store may close.
func (g *groupCommit) stop(ctx context.Context) error {
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
		w.done <- commitResult{err: errStopping}
	}
	g.cancel()
	<-g.idle
	return fmt.Errorf("app: stopping the webhook commits: %d waiting deliveries answered without a commit, commits under way cancelled: %w",
		len(left), ctx.Err())
}

// commit looks up the batch's shops and ingests the deliveries of
// installed ones in one transaction. When that fails, each is tried alone,
// so that a delivery the database refuses cannot fail the others with it.
func (g *groupCommit) commit(ctx context.Context, batch []*waitingDelivery) {
	ctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	g.batchSize.Observe(float64(len(batch)))
	domains := make([]string, len(batch))
	for i, w := range batch {
		domains[i] = w.delivery.ShopDomain
	}
	shops, err := g.shops.lookup(ctx, domains)
	if err != nil {
		for _, w := range batch {
			w.done <- commitResult{err: err}
		}
		return
	}
	var waiting []*waitingDelivery
	var items []store.IngestItem
	for _, w := range batch {
		id, ok := shops[w.delivery.ShopDomain]
		if !ok {
			w.done <- commitResult{}
			continue
		}
		waiting = append(waiting, w)
		items = append(items, store.IngestItem{ShopID: id, Delivery: w.delivery, Event: w.event})
	}
	if len(items) == 0 {
		return
	}
	dup, err := g.ingestBatch(ctx, items)
	if err != nil && len(items) > 1 {
		// Alone, a delivery the database refuses fails no other, and is
		// told apart from those a retry can fix.
		g.log.WarnContext(ctx, "webhook batch failed; committing its deliveries one by one", "size", len(items), "error", err)
		for i, w := range waiting {
			dup, err := g.ingestBatch(ctx, items[i:i+1])
			w.done <- commitResult{installed: true, shopID: items[i].ShopID, duplicate: err == nil && dup[0], err: err}
		}
		return
	}
	for i, w := range waiting {
		r := commitResult{installed: true, shopID: items[i].ShopID, err: err}
		if err == nil {
			r.duplicate = dup[i]
		}
		w.done <- r
	}
}

// ingestBatch is store.IngestEvents run on the leader's goroutine, where
// no middleware recovers a panic: one becomes the batch's error instead of
// ending the process.
func (g *groupCommit) ingestBatch(ctx context.Context, items []store.IngestItem) (duplicate []bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("app: ingesting a batch of %d deliveries panicked: %v", len(items), r)
			g.log.ErrorContext(ctx, "webhook batch panicked", "size", len(items), "panic", r, "stack", string(debug.Stack()))
		}
	}()
	return g.ingestEvents(ctx, items)
}
