package main

import (
	"context"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// collectCeiling writes the rows the app writes for each /collect batch
// (its events in storefront_events, and its client's visit replaced by the
// visit as it stands after the batch) with pgx alone: the batches waiting
// are taken together, up to 64, as the app's group commit takes them, and
// written in one transaction of three statements: COPY of the events, one
// DELETE of the clients' visits, COPY of the visits. Durable commit; no
// HTTP, no JSON parsing, no ORM, no fold (the visits come made with the
// batches), no dedupe of event ids.
type collectCeiling struct {
	pool   *pgxpool.Pool
	shopID []int64
	// queues has one queue per writer; a client's batches all go to one
	// (by a hash of its id), so that two writers never replace one visit
	// at once: they deadlocked on it, where the app's folds lock clients.
	queues []chan ceilingItem
	wg     sync.WaitGroup
	stop   chan struct{}

	batches, commits atomic.Int64
}

type ceilingItem struct {
	b    collectBatch
	done chan bool
}

// newCollectCeiling sets up the ceiling's schema at dbURL (migrated, with
// as many shops as the app's) and its writers.
func newCollectCeiling(ctx context.Context, dbURL string, shops, writers int) (*collectCeiling, error) {
	_, ids, err := prepareSchema(ctx, dbURL, shops)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = int32(writers)
	w := &collectCeiling{shopID: ids, stop: make(chan struct{})}
	if w.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, err
	}
	for range writers {
		q := make(chan ceilingItem, 1024)
		w.queues = append(w.queues, q)
		w.wg.Go(func() { w.run(q) })
	}
	return w, nil
}

func (w *collectCeiling) close() {
	close(w.stop)
	w.wg.Wait()
	w.pool.Close()
}

// write hands b to a writer and waits for its commit.
func (w *collectCeiling) write(ctx context.Context, b collectBatch) bool {
	it := ceilingItem{b: b, done: make(chan bool, 1)}
	h := fnv.New32a()
	_, _ = h.Write([]byte(b.visit.clientID))
	select {
	case w.queues[h.Sum32()%uint32(len(w.queues))] <- it:
	case <-ctx.Done():
		return false
	}
	select {
	case ok := <-it.done:
		return ok
	case <-ctx.Done():
		return false
	}
}

// meanGroup is the mean number of batches per commit so far.
func (w *collectCeiling) meanGroup() float64 {
	if c := w.commits.Load(); c > 0 {
		return float64(w.batches.Load()) / float64(c)
	}
	return 0
}

// run commits groups of queue's batches until close.
func (w *collectCeiling) run(queue chan ceilingItem) {
	for {
		var group []ceilingItem
		select {
		case it := <-queue:
			group = append(group, it)
		case <-w.stop:
			return
		}
	gather:
		for len(group) < 64 {
			select {
			case it := <-queue:
				group = append(group, it)
			default:
				break gather
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err := w.commit(ctx, group)
		cancel()
		w.batches.Add(int64(len(group)))
		w.commits.Add(1)
		for _, it := range group {
			it.done <- err == nil
		}
	}
}

// commit writes one group's rows in one transaction.
func (w *collectCeiling) commit(ctx context.Context, group []ceilingItem) error {
	now := time.Now().UTC()
	var events, visits [][]any
	latest := map[string]int{} // a client's last batch in the group
	for i, it := range group {
		shop := w.shopID[it.b.shop]
		for _, e := range it.b.rows {
			events = append(events, []any{shop, e.eventID, e.clientID, e.name, e.at, e.event, now})
		}
		latest[it.b.visit.clientID] = i
	}
	shops := make([]int64, 0, len(latest))
	clients := make([]string, 0, len(latest))
	for i, it := range group {
		v := it.b.visit
		if latest[v.clientID] != i {
			continue
		}
		shop := w.shopID[it.b.shop]
		shops, clients = append(shops, shop), append(clients, v.clientID)
		visits = append(visits, []any{shop, v.clientID, v.start, v.end, v.start.Unix() / 900, v.device, v.landing, v.source,
			v.furthest, false, v.summary, now})
	}
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"storefront_events"},
		[]string{"shop_id", "event_id", "client_id", "name", "occurred_at", "event", "received_at"}, pgx.CopyFromRows(events)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM visits WHERE (shop_id, client_id) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))`,
		shops, clients); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"visits"},
		[]string{"shop_id", "client_id", "started_at", "ended_at", "quarter", "device", "landing_page_type", "source",
			"furthest_stage", "bot", "summary", "updated_at"}, pgx.CopyFromRows(visits)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
