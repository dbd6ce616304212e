package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// IngestItem is one verified delivery of an ingest batch: the shop it was
// signed for, the delivery as received, and the funnel event parsed from it
// (nil when the delivery is recorded without one).
type IngestItem struct {
	ShopID   int64
	Delivery Delivery
	Event    *funnel.Event
}

// IngestEvent records one webhook delivery and applies its event to the
// shop's funnel session: IngestEvents with a batch of one.
func (s *Store) IngestEvent(ctx context.Context, shopID int64, d Delivery, ev *funnel.Event) (duplicate bool, err error) {
	dup, err := s.IngestEvents(ctx, []IngestItem{{ShopID: shopID, Delivery: d, Event: ev}})
	if err != nil {
		return false, err
	}
	return dup[0], nil
}

// IngestEvents records a batch of webhook deliveries and applies their
// events to their shops' funnel sessions in one transaction, so that one
// commit makes the whole batch durable (group commit). Deliveries are unique
// by webhook id: a redelivery, whether recorded before or earlier in the
// same batch, inserts nothing, changes nothing and is reported duplicate.
// Each event, in batch order, is merged with the sessions of its shop that
// share its key, checkout token or cart token; when several matched (a
// checkout seen before its cart), one keeps the merged state under the
// merged key and the others are deleted. The result is what applying the
// deliveries one at a time gives.
//
// Concurrent batches that touch the same sessions are serialised (advisory
// transaction locks on the events' tokens, taken in one global order, and
// row locks on PostgreSQL; BEGIN IMMEDIATE on SQLite), so no event is lost
// and no duplicate session appears. A failure rolls back the whole batch
// and is returned: none of its deliveries is recorded, and each must be
// answered 5xx or tried again.
func (s *Store) IngestEvents(ctx context.Context, items []IngestItem) (duplicate []bool, err error) {
	if len(items) == 0 {
		return nil, nil
	}
	b := newIngestBatch(items, s.nowUTC())
	var inserted []bool
	if s.isPG() {
		inserted, err = s.ingestPostgres(ctx, b)
	} else {
		err = s.db(ctx).Transaction(func(tx *gorm.DB) (err error) {
			inserted, err = ingestSQLite(tx, b)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: ingesting %d deliveries (first %q): %w", len(items), items[0].Delivery.WebhookID, err)
	}
	duplicate = make([]bool, len(items))
	for i, ok := range inserted {
		duplicate[i] = !ok
	}
	return duplicate, nil
}

// shopToken is a token of one shop.
type shopToken struct {
	shop  int64
	token string
}

// sessionLookup finds the sessions whose session key, checkout token or
// cart token is one of these.
type sessionLookup struct{ keys, checkouts, carts []shopToken }

// sessionWrites is what a batch changes in sessions, their timelines
// and session_rollups.
type sessionWrites struct {
	// deleted are the ids of stored sessions merged into others, by shop.
	deleted          map[int64][]int64
	updates, inserts []sessionRow
	deltas           rollupDeltas
	payments         paymentDeltas
	timeline         timelineWrites
}

// ingestBatch is the work of one IngestEvents call.
type ingestBatch struct {
	items []IngestItem
	now   time.Time
	// fresh is each item's event as a session of its own; its Key is
	// empty when the event joins nothing (no token, or no event).
	fresh []funnel.Session
	// tokens are each item's session key and its event's cart and
	// checkout tokens, without repeats: what finds and locks its session.
	// None when the event joins nothing.
	tokens [][]string
	// into is the session each item's event was merged into (nil when it
	// joined none, or was not inserted); it may itself have been merged
	// into another later in the batch (liveSession.final).
	into []*liveSession
}

func newIngestBatch(items []IngestItem, now time.Time) *ingestBatch {
	b := &ingestBatch{items: items, now: now, fresh: make([]funnel.Session, len(items)),
		tokens: make([][]string, len(items)), into: make([]*liveSession, len(items))}
	for i, it := range items {
		if it.Event == nil {
			continue
		}
		b.fresh[i] = funnel.FromEvent(*it.Event)
		if key := b.fresh[i].Key; key != "" {
			b.tokens[i] = []string{key}
			for _, t := range []string{it.Event.CartToken, it.Event.CheckoutToken} {
				if t != "" && !slices.Contains(b.tokens[i], t) {
					b.tokens[i] = append(b.tokens[i], t)
				}
			}
		}
	}
	return b
}

// locks returns the advisory lock names of every token in the batch, each
// qualified by its shop.
func (b *ingestBatch) locks() []string {
	var locks []string
	for i, it := range b.items {
		prefix := strconv.FormatInt(it.ShopID, 10) + ":"
		for _, t := range b.tokens[i] {
			locks = append(locks, prefix+t)
		}
	}
	return locks
}

// apply merges the events of the deliveries that were inserted into rows,
// the stored sessions they may join, and returns the writes that follow.
func (b *ingestBatch) apply(rows []sessionRow, inserted []bool) (sessionWrites, error) {
	live := map[int64][]*liveSession{}
	for _, r := range rows {
		orig := r.toSession()
		live[r.ShopID] = append(live[r.ShopID], &liveSession{id: r.ID, createdAt: r.CreatedAt.UTC(), orig: &orig, sess: orig,
			origTimeline: r.timeline, timeline: r.timeline, rows: min(r.timeline, funnel.TimelineCap)})
	}
	b.merge(live, inserted)
	w := changes(live, b.now)
	var err error
	w.timeline, err = b.timelineWrites(live)
	return w, err
}

// lookup is the query for every session the batch's events may join,
// those of redeliveries included: it runs before the deliveries are known
// to be new.
func (b *ingestBatch) lookup() sessionLookup {
	var q sessionLookup
	for i, it := range b.items {
		if b.tokens[i] == nil {
			continue
		}
		for _, t := range b.tokens[i] {
			q.keys = append(q.keys, shopToken{it.ShopID, t})
		}
		if t := it.Event.CheckoutToken; t != "" {
			q.checkouts = append(q.checkouts, shopToken{it.ShopID, t})
		}
		if t := it.Event.CartToken; t != "" {
			q.carts = append(q.carts, shopToken{it.ShopID, t})
		}
	}
	return q
}

// liveSession is a session as the batch sees it: loaded from the database
// (id set, orig its state as loaded) or created by the batch.
type liveSession struct {
	id        int64
	createdAt time.Time
	orig      *funnel.Session
	sess      funnel.Session
	deleted   bool
	// into is the session this one was merged into, once deleted.
	into *liveSession
	// timeline counts the events ever recorded in the session's timeline
	// (origTimeline as loaded), and rows the rows of session_events it
	// has, those of the sessions merged into it included, before the
	// batch trims them to funnel.TimelineCap.
	origTimeline, timeline, rows int
}

// final is the session l's state ended up in: l, or the one it was
// merged into, followed to one that was not.
func (l *liveSession) final() *liveSession {
	for l.deleted && l.into != nil {
		l = l.into
	}
	return l
}

// matches reports whether an event with these tokens joins l: the same
// rule as the query that loads the sessions.
func (l *liveSession) matches(tokens []string, ev *funnel.Event) bool {
	return slices.Contains(tokens, l.sess.Key) ||
		(ev.CheckoutToken != "" && l.sess.CheckoutToken == ev.CheckoutToken) ||
		(ev.CartToken != "" && l.sess.CartToken == ev.CartToken)
}

// merge applies the events of the deliveries that were inserted, in batch
// order, to live, the sessions of each shop in id order.
func (b *ingestBatch) merge(live map[int64][]*liveSession, inserted []bool) {
	for i, it := range b.items {
		tokens := b.tokens[i]
		if !inserted[i] || tokens == nil {
			continue
		}
		var matched []*liveSession
		for _, l := range live[it.ShopID] {
			if !l.deleted && l.matches(tokens, it.Event) {
				matched = append(matched, l)
			}
		}
		merged := b.fresh[i]
		for _, m := range matched {
			merged = funnel.Merge(merged, m.sess)
		}
		keep := keeper(matched, merged.Key)
		if keep == nil {
			keep = &liveSession{createdAt: b.now}
			live[it.ShopID] = append(live[it.ShopID], keep)
		}
		for _, m := range matched {
			if m != keep {
				m.deleted, m.into = true, keep
				keep.timeline, keep.rows = keep.timeline+m.timeline, keep.rows+m.rows
			}
		}
		keep.sess = merged
		// The event's entry joins the timeline of the session it went
		// into (timelineWrites).
		keep.timeline, keep.rows = keep.timeline+1, keep.rows+1
		b.into[i] = keep
	}
}

// keeper picks, of the sessions an event joins, the one that keeps the
// merged state: a stored one when there is one (the one already under the
// merged key, else the oldest), else one the batch made (the one under the
// merged key, else the first), else none (a new session). A stored
// session is therefore only ever merged into another stored one, which
// can take over its timeline's rows before it is deleted.
func keeper(matched []*liveSession, key string) *liveSession {
	for _, stored := range []bool{true, false} {
		for _, m := range matched {
			if (m.orig != nil) == stored && m.sess.Key == key {
				return m
			}
		}
		for _, m := range matched {
			if (m.orig != nil) == stored {
				return m
			}
		}
	}
	return nil
}

// changes returns the writes that bring the database to live: stored
// sessions merged into others are deleted, stored ones whose state changed
// are overwritten, new ones inserted; each counts in the rollups.
func changes(live map[int64][]*liveSession, now time.Time) sessionWrites {
	w := sessionWrites{deleted: map[int64][]int64{}, deltas: rollupDeltas{}, payments: paymentDeltas{}}
	for shopID, ls := range live {
		for _, l := range ls {
			switch {
			case l.orig != nil && l.deleted:
				w.deleted[shopID] = append(w.deleted[shopID], l.id)
				w.count(shopID, *l.orig, -1)
			case l.orig != nil && (l.timeline != l.origTimeline || !reflect.DeepEqual(*l.orig, l.sess)):
				w.count(shopID, *l.orig, -1)
				w.updates = append(w.updates, sessionRow{ID: l.id, CreatedAt: l.createdAt, UpdatedAt: now, timeline: l.timeline})
				w.updates[len(w.updates)-1].setSession(shopID, l.sess)
				w.count(shopID, l.sess, 1)
			case l.orig == nil && !l.deleted:
				w.inserts = append(w.inserts, sessionRow{CreatedAt: now, UpdatedAt: now, timeline: l.timeline})
				w.inserts[len(w.inserts)-1].setSession(shopID, l.sess)
				w.count(shopID, l.sess, 1)
			}
		}
	}
	return w
}

// count counts the shop's session s sign times in both rollups.
func (w sessionWrites) count(shopID int64, s funnel.Session, sign int64) {
	w.deltas.add(shopID, s, sign)
	w.payments.add(shopID, s, sign)
}
