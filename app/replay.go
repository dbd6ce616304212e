package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

// The outcomes of a replay: the webhook's answer to the delivery now.
const (
	ReplayApplied   = string(outcomeApplied)
	ReplayDuplicate = string(outcomeDuplicate)
	ReplayKept      = string(outcomeKept)
	ReplayIgnored   = string(outcomeIgnored)
)

// Replay is what became of a kept delivery fed through ingestion again
// (App.ReplayDelivery).
type Replay struct {
	// Kept is the delivery as it was kept; its payload is for ingestion
	// only, never to be shown.
	Kept store.KeptDelivery
	// Outcome is ReplayApplied, ReplayDuplicate (recorded meanwhile),
	// ReplayKept (with Reason, or none for a topic that feeds no funnel) or
	// ReplayIgnored (a topic the app does not handle: nothing recorded, the
	// delivery stays kept as it was). Empty when it was not replayed, and
	// Reason then says why.
	Outcome string
	Reason  string
}

// ReplayDelivery feeds the kept delivery id through the same ingestion as a
// webhook's (the HMAC was checked when it arrived), as if Shopify had
// delivered it again: an unusable delivery whose shop has been installed
// since, or whose refusal has been fixed, is applied now; one that is still
// unusable is kept again with its reason today. The kept row makes way for
// what the replay records (store.SetAsideDelivery), and stays when nothing
// is recorded. A delivery that was not kept as unusable, a privacy request
// (carried out by its own job, its payload dropped), or one whose payload
// was purged or never kept is not replayed, and the Replay says so. An
// error means the replay may not have happened: the kept row is then as it
// was, bar a crash between the two writes, which leaves it listed without
// its webhook id.
func (a *App) ReplayDelivery(ctx context.Context, id int64) (Replay, error) {
	k, err := a.store.KeptDeliveryByID(ctx, id)
	if err != nil {
		return Replay{}, fmt.Errorf("app: replaying delivery %d: %w", id, err)
	}
	r := Replay{Kept: k}
	switch {
	case k.Reason == "":
		r.Reason = "it was not kept as unusable: there is nothing to replay"
	case shopify.ComplianceTopic(k.Delivery.Topic):
		r.Reason = "it is a privacy request: its own job carries it out, and it is never replayed"
	case k.Purged:
		r.Reason = "its payload was purged at the end of its retention: it cannot be replayed"
	case len(k.Delivery.Payload) == 0:
		r.Reason = "it was kept without its payload: it cannot be replayed"
	}
	if r.Reason != "" {
		return r, nil
	}
	webhookID := k.Delivery.WebhookID
	if err := a.store.SetAsideDelivery(ctx, id); err != nil {
		return r, fmt.Errorf("app: replaying delivery %d: %w", id, err)
	}
	out, err := a.ingest(ctx, k.Delivery)
	if err != nil {
		return r, a.restore(ctx, id, webhookID, fmt.Errorf("app: replaying delivery %d: %w", id, err))
	}
	r.Outcome = string(out)
	if out == outcomeIgnored {
		r.Reason = "the app does not handle topic " + k.Delivery.Topic + ": nothing was recorded, and it stays kept"
		return r, a.restore(ctx, id, webhookID, nil)
	}
	now, err := a.store.SupersedeDelivery(ctx, id, webhookID, k.ReceivedAt)
	if err != nil {
		return r, fmt.Errorf("app: replaying delivery %d: %w", id, err)
	}
	r.Reason = now.Reason
	return r, nil
}

// restore gives a set-aside delivery its webhook id back, and returns err
// joined with any failure to do so.
func (a *App) restore(ctx context.Context, id int64, webhookID string, err error) error {
	return errors.Join(err, a.store.RestoreDelivery(ctx, id, webhookID))
}
