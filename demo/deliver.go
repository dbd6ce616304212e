package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
)

// Fill delivers the history to the running app unless the shop already
// has sessions (a restarted demo keeps its data): the webhooks, then, with
// a PixelKey, the storefront's events through POST /collect. It reports
// how many webhooks it posted.
func Fill(ctx context.Context, h History) (int, error) {
	h.defaults()
	has, err := h.hasSessions(ctx)
	if err != nil {
		return 0, err
	}
	if has {
		h.progress("demo data: the demo shop already has its history\n")
		return 0, nil
	}
	first, late, err := h.Webhooks()
	if err != nil {
		return 0, err
	}
	// The storefront's batches are made while the webhooks go out: the
	// visits of the whole history are drawn to keep the last PixelDays,
	// which takes a while, and the posters mostly wait on the app.
	type made struct {
		batches []Batch
		err     error
	}
	storefront := make(chan made, 1)
	if h.PixelKey != "" {
		go func() {
			b, err := h.Batches(h.PixelKey)
			storefront <- made{b, err}
		}()
	}
	total := len(first) + len(late)
	h.progress("demo data: delivering %d webhooks for %d shoppers over %d days…\n", total, h.Sessions, h.Days)
	started := time.Now()
	sent := &atomic.Int64{}
	if err := h.post(ctx, first, sent, total); err != nil {
		return int(sent.Load()), err
	}
	if h.FlagAbandoned != nil && len(late) > 0 {
		if err := h.FlagAbandoned(ctx); err != nil {
			return int(sent.Load()), fmt.Errorf("demo: abandonment scan: %w", err)
		}
		if err := h.post(ctx, late, sent, total); err != nil {
			return int(sent.Load()), err
		}
	}
	h.progress("demo data: %d webhooks delivered in %s\n", sent.Load(), time.Since(started).Round(100*time.Millisecond))
	if h.PixelKey != "" {
		m := <-storefront
		if m.err != nil {
			return int(sent.Load()), m.err
		}
		if _, err := h.fillStorefront(ctx, m.batches); err != nil {
			return int(sent.Load()), err
		}
		if h.Folded != nil {
			if err := h.Folded(ctx); err != nil {
				return int(sent.Load()), fmt.Errorf("demo: folding the storefront's events: %w", err)
			}
		}
	}
	if len(h.Changes) > 0 {
		if err := h.deliverChanges(ctx); err != nil {
			return int(sent.Load()), err
		}
	}
	if h.ScanAt != nil {
		days := h.ScanDays()
		for _, at := range days {
			if err := h.ScanAt(ctx, at); err != nil {
				return int(sent.Load()), fmt.Errorf("demo: scan at %s: %w", at.Format(time.RFC3339), err)
			}
		}
		h.progress("demo data: scanned %d days after the newest change\n", len(days))
	}
	return int(sent.Load()), nil
}

func (h History) progress(format string, args ...any) {
	if h.Progress != nil {
		_, _ = fmt.Fprintf(h.Progress, format, args...) // progress is a courtesy: a failed write must not stop the demo
	}
}

// hasSessions asks the app, as the embedded page would, whether the shop
// has any session in the last year.
func (h History) hasSessions(ctx context.Context) (bool, error) {
	now := h.Now()
	tok, err := shopify.MintSessionToken(h.APIKey, h.Secret, h.Shop, "1", now, time.Minute)
	if err != nil {
		return false, err
	}
	q := url.Values{"per_page": {"1"}, "from": {now.UTC().AddDate(0, 0, -365).Format(time.DateOnly)}, "to": {now.UTC().Format(time.DateOnly)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.BaseURL+"/api/sessions?"+q.Encode(), nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := h.Client.Do(req)
	if err != nil {
		return false, fmt.Errorf("demo: checking for existing data: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var page struct{ Total int64 }
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("demo: checking for existing data: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return false, fmt.Errorf("demo: checking for existing data: %w", err)
	}
	return page.Total > 0, nil
}

// post delivers webhooks with a few concurrent posters, retrying a 5xx as
// Shopify does.
func (h History) post(ctx context.Context, list []journeys.Webhook, sent *atomic.Int64, total int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan journeys.Webhook)
	var wg sync.WaitGroup
	step := int64(max(total/10, 1))
	for range h.Workers {
		wg.Go(func() {
			for d := range work {
				if err := h.deliver(ctx, d); err != nil {
					cancel(err)
					return
				}
				if n := sent.Add(1); n%step == 0 {
					h.progress("demo data: %d/%d webhooks\n", n, total)
				}
			}
		})
	}
feed:
	for _, d := range list {
		select {
		case work <- d:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// deliver posts one webhook, signed as Shopify signs it and stamped with
// the moment it happened, retrying a 5xx or a failed connection a few
// times; any other refusal is final.
func (h History) deliver(ctx context.Context, d journeys.Webhook) error {
	signed := shopify.WebhookDelivery{Topic: d.Topic, ShopDomain: h.Shop, WebhookID: d.ID, TriggeredAt: d.At}
	var last error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		req, err := signed.NewRequest(ctx, h.BaseURL+"/webhooks", d.Body, h.Secret)
		if err != nil {
			return err
		}
		resp, err := h.Client.Do(req)
		if err != nil {
			last = err
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode >= http.StatusInternalServerError:
			last = fmt.Errorf("demo: %s %s: %s", d.Topic, d.ID, resp.Status)
		default:
			return fmt.Errorf("demo: %s %s refused: %s", d.Topic, d.ID, resp.Status)
		}
	}
	return last
}
