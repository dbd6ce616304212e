package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/funnelscope/funnelscope/store"
)

// foldPoll is how often the storefront folder looks for events to fold
// without being woken: those another app instance accepted, and those a
// failed fold left. foldGap is the least time from one round of folds to
// the next: the groups accepted meanwhile share a fold, so that at a
// steady rate the fold's fixed cost (its locks and statements) is paid
// once for many groups, not once for each, at the price of visits that
// lag their events by up to foldGap.
const (
	foldPoll = 2 * time.Second
	foldGap  = 100 * time.Millisecond
)

// storefrontFolder folds the storefront events /collect accepted into
// visits (store.FoldStorefront) in the background, so that a batch is
// answered once it is durable, not once it is folded. Each accepted group
// wakes it (poke); it folds until nothing is left, then waits for the
// next wake-up or foldPoll, and for foldGap since it last began. Any
// number of instances fold side by side: the store has each row folded
// once.
type storefrontFolder struct {
	fold func(context.Context) (store.StorefrontFold, error)
	log  *slog.Logger
	// observe receives each fold's figures (metrics).
	observe func(store.StorefrontFold)
	wake    chan struct{}

	once, stopOnce sync.Once
	quit           chan struct{}
	done           chan struct{}
	cancel         context.CancelFunc
}

func newStorefrontFolder(st *store.Store, log *slog.Logger, observe func(store.StorefrontFold)) *storefrontFolder {
	return &storefrontFolder{fold: st.FoldStorefront, log: log, observe: observe, wake: make(chan struct{}, 1),
		quit: make(chan struct{})}
}

// poke wakes the folder; it never blocks.
func (f *storefrontFolder) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// start runs the folder until stop.
func (f *storefrontFolder) start() {
	f.once.Do(func() {
		var ctx context.Context
		ctx, f.cancel = context.WithCancel(context.Background())
		f.done = make(chan struct{})
		go f.run(ctx)
	})
}

func (f *storefrontFolder) run(ctx context.Context) {
	defer close(f.done)
	tick := time.NewTicker(foldPoll)
	defer tick.Stop()
	for {
		began := time.Now()
		f.foldAll(ctx)
		select {
		case <-f.quit:
			return
		case <-f.wake:
		case <-tick.C:
		}
		select {
		case <-f.quit:
			return
		case <-time.After(time.Until(began.Add(foldGap))):
		}
	}
}

// foldAll folds until nothing is left to fold, the store fails, or stop
// begins.
func (f *storefrontFolder) foldAll(ctx context.Context) {
	for {
		select {
		case <-f.quit:
			return
		default:
		}
		r, err := f.fold(ctx)
		f.observe(r)
		if err != nil && ctx.Err() == nil {
			f.log.ErrorContext(ctx, "folding storefront events", "rows", r.Rows, "failed", r.Failed, "error", err.Error())
		}
		// A failure that counted no row's attempt is the store's: wait
		// for the next poll rather than spin on it.
		if r.Rows == 0 || (err != nil && r.Failed == 0) {
			return
		}
	}
}

// stop lets the fold under way finish and ends the folder; should ctx end
// first, that fold is cancelled (it rolls back: its events stay in the
// inbox for the next start). What is still to fold waits in the store.
func (f *storefrontFolder) stop(ctx context.Context) error {
	f.stopOnce.Do(func() { close(f.quit) })
	if f.done == nil {
		return nil
	}
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		f.cancel()
		<-f.done
		return ctx.Err()
	}
}
