package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// groupCommit is the group commit (groupQueue) of the funnel deliveries:
// the deliveries that arrive together share one transaction and one
// durable commit, so that the cost of a commit, and of looking up the
// shops, is spread over the batch; each is answered only after it. A
// delivery refused because the app stops is answered errStopping (a 503).
type groupCommit struct {
	shops     *installedShops
	log       *slog.Logger
	batchSize prometheus.Observer
	// ingestEvents is store.IngestEvents; a test may hold it at a gate.
	ingestEvents func(context.Context, []store.IngestItem) ([]bool, error)
	queue        *groupQueue[pendingDelivery, commitResult]
}

// errStopping answers the deliveries that arrive, or still wait, while the
// app stops: they were not committed, and Shopify delivers them again.
var errStopping = errors.New("app: the server is stopping; the delivery was not committed")

// pendingDelivery is a delivery and its event, waiting for their commit.
type pendingDelivery struct {
	delivery store.Delivery
	event    *funnel.Event
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
	g := &groupCommit{shops: shops, log: log, batchSize: batchSize, ingestEvents: st.IngestEvents}
	g.queue = newGroupQueue(st.Writers(), errStopping, commitResult{err: errStopping}, g.commit)
	return g
}

// ingest commits d and its event with whatever else is waiting. An error
// means it may not have been committed: the caller answers 5xx and Shopify
// delivers it again. Once stop has begun, nothing is taken: the answer is
// errStopping at once.
func (g *groupCommit) ingest(ctx context.Context, d store.Delivery, ev *funnel.Event) commitResult {
	r, err := g.queue.submit(ctx, pendingDelivery{delivery: d, event: ev})
	if err != nil {
		return commitResult{err: err}
	}
	return r
}

// stop drains the queue (groupQueue.stop): after it, nothing more is
// committed, so the store may close.
func (g *groupCommit) stop(ctx context.Context) error {
	if err := g.queue.stop(ctx); err != nil {
		return fmt.Errorf("app: stopping the webhook commits: %w", err)
	}
	return nil
}

// commit looks up the batch's shops and ingests the deliveries of
// installed ones in one transaction. When that fails, each is tried alone,
// so that a delivery the database refuses cannot fail the others with it.
func (g *groupCommit) commit(ctx context.Context, batch []pendingDelivery) []commitResult {
	g.batchSize.Observe(float64(len(batch)))
	results := make([]commitResult, len(batch))
	domains := make([]string, len(batch))
	for i, p := range batch {
		domains[i] = p.delivery.ShopDomain
	}
	shops, err := g.shops.lookup(ctx, domains)
	if err != nil {
		for i := range results {
			results[i] = commitResult{err: err}
		}
		return results
	}
	var waiting []int // the indexes in batch of items
	var items []store.IngestItem
	for i, p := range batch {
		id, ok := shops[p.delivery.ShopDomain]
		if !ok {
			continue // results[i] stays "not installed"
		}
		waiting = append(waiting, i)
		items = append(items, store.IngestItem{ShopID: id, Delivery: p.delivery, Event: p.event})
	}
	if len(items) == 0 {
		return results
	}
	dup, err := g.ingestBatch(ctx, items)
	if err != nil && len(items) > 1 {
		// Alone, a delivery the database refuses fails no other, and is
		// told apart from those a retry can fix.
		g.log.WarnContext(ctx, "webhook batch failed; committing its deliveries one by one", "size", len(items), "error", err)
		for k, i := range waiting {
			dup, err := g.ingestBatch(ctx, items[k:k+1])
			results[i] = commitResult{installed: true, shopID: items[k].ShopID, duplicate: err == nil && dup[0], err: err}
		}
		return results
	}
	for k, i := range waiting {
		results[i] = commitResult{installed: true, shopID: items[k].ShopID, err: err, duplicate: err == nil && dup[k]}
	}
	return results
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
