package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// collectWorkers is how many /collect batches are in flight at once.
const collectWorkers = 4

// fillStorefront posts the storefront's batches (Batches) to POST
// /collect in the order the pixel sent them, the replay clock (if any)
// advanced to each batch's moment before it goes; it reports how many
// events it posted.
func (h History) fillStorefront(ctx context.Context, batches []Batch) (int, error) {
	events := 0
	for _, b := range batches {
		events += b.Events
	}
	h.progress("demo data: posting %d storefront events in %d batches to /collect…\n", events, len(batches))
	started := time.Now()
	if h.Replay != nil {
		defer h.Replay.live()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan Batch)
	var wg sync.WaitGroup
	sent := &atomic.Int64{}
	for range collectWorkers {
		wg.Go(func() {
			for b := range work {
				if err := h.collect(ctx, b); err != nil {
					cancel(err)
					return
				}
				sent.Add(int64(b.Events))
			}
		})
	}
feed:
	for _, b := range batches {
		if h.Replay != nil {
			h.Replay.advance(b.At)
		}
		select {
		case work <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return int(sent.Load()), err
	}
	if err := ctx.Err(); err != nil {
		return int(sent.Load()), err
	}
	h.progress("demo data: %d storefront events posted in %s\n", sent.Load(), time.Since(started).Round(100*time.Millisecond))
	return int(sent.Load()), nil
}

// collect posts one batch as the pixel does (text/plain, no cookies),
// retrying a 503, a 429 after its Retry-After, or a failed connection a
// few times; any other refusal is final.
func (h History) collect(ctx context.Context, b Batch) error {
	var last error
	wait := time.Duration(0)
	for attempt := range 6 {
		if attempt > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		wait = time.Duration(attempt+1) * 100 * time.Millisecond
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.BaseURL+"/collect", bytes.NewReader(b.Body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		resp, err := h.Client.Do(req)
		if err != nil {
			last = err
			continue
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNoContent:
			return nil
		case resp.StatusCode == http.StatusTooManyRequests:
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
				wait = time.Duration(s) * time.Second
			}
			last = fmt.Errorf("demo: /collect: %s", resp.Status)
		case resp.StatusCode >= http.StatusInternalServerError:
			last = fmt.Errorf("demo: /collect: %s", resp.Status)
		default:
			return fmt.Errorf("demo: /collect refused a batch: %s: %s", resp.Status, bytes.TrimSpace(msg))
		}
	}
	return last
}
