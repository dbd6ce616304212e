package alerts

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

// The handles of the app's Shopify Flow triggers: the extensions under
// extensions/funnelscope-flow-abandoned and extensions/funnelscope-flow-anomaly.
const (
	FlowCartAbandoned = "funnelscope-cart-abandoned"
	FlowStepAnomaly   = "funnelscope-step-anomaly"
)

// FlowSender fires one of the app's Flow triggers on a shop with
// flowTriggerReceive; the app implements it with the shop's admin token. Its
// errors wrap ErrFlowReauthorize or ErrFlowRefused when retrying cannot
// help; any other error is worth another attempt.
type FlowSender interface {
	TriggerFlow(ctx context.Context, shop store.Shop, handle string, payload map[string]any) error
}

// Errors a FlowSender wraps.
var (
	// ErrFlowReauthorize: Shopify no longer accepts the shop's token.
	ErrFlowReauthorize = errors.New("alerts: the shop must authorize the app again")
	// ErrFlowRefused: Shopify refused the trigger (unknown handle, a
	// payload that does not match the extension, no access).
	ErrFlowRefused = errors.New("alerts: Shopify Flow refused the trigger")
)

// FlowTrigger is one trigger a message fires: a handle, the payload, and
// the key that names it among the message's triggers (the session key), so
// that a retry fires only the triggers not yet accepted.
type FlowTrigger struct {
	Handle  string
	Key     string
	Payload map[string]any
}

// decimal is an amount in minor units as the number a number_decimal field
// of a Flow trigger takes (12.5 for 1250), written by funnel.FormatMoney.
func decimal(minor int64) float64 {
	f, err := strconv.ParseFloat(funnel.FormatMoney(minor), 64)
	if err != nil {
		return float64(minor) / 100
	}
	return f
}

// FlowCartPayload is the payload of "Funnelscope: cart abandoned" for one
// cart as alerts show it, keyed by the fields of
// extensions/funnelscope-flow-abandoned/shopify.extension.toml. Contact
// email, Contact phone and Recovery link are left out when the cart has
// none.
func (s *Service) FlowCartPayload(shop store.Shop, kind funnel.Status, sess funnel.Session, now time.Time) map[string]any {
	c := s.cart(shop, kind, sess, now)
	p := map[string]any{
		"Session value": decimal(sess.Value),
		"Currency":      cut(funnel.ValueCurrency(sess.Currency, shop.Currency), maxCurrency),
		"Alert kind":    c.Kind,
		"Stage":         c.Stage,
		"Session link":  c.SessionURL,
		"Session key":   cut(sess.Key, maxContact),
	}
	if e := strings.TrimSpace(sess.Email); e != "" && strings.Contains(e, "@") && len(e) <= maxContact {
		p["Contact email"] = e
	}
	if ph := strings.TrimSpace(sess.Phone); ph != "" {
		p["Contact phone"] = cut(ph, maxContact)
	}
	if c.RecoveryURL != "" {
		p["Recovery link"] = c.RecoveryURL
	}
	return p
}

// FlowAnomaly is a step anomaly as "Funnelscope: step anomaly" carries it;
// the delivery of each anomaly (DeliverAnomaly) fires the trigger for
// shops that turned the Flow channel on.
type FlowAnomaly struct {
	// Step is the step's label, Device "Mobile", "Desktop", "Tablet" or
	// "All devices".
	Step, Device string
	// ExpectedRate and ObservedRate are rates from 0 to 1.
	ExpectedRate, ObservedRate float64
	// MoneyAtRisk is in minor units of Currency.
	MoneyAtRisk int64
	Currency    string
	Since       time.Time
	EvidenceURL string
}

// FlowAnomalyPayload is the payload of "Funnelscope: step anomaly", keyed
// by the fields of extensions/funnelscope-flow-anomaly/shopify.extension.toml:
// rates in percent, to one decimal.
func FlowAnomalyPayload(a FlowAnomaly) map[string]any {
	pct := func(r float64) float64 { return math.Round(1000*r) / 10 }
	p := map[string]any{
		"Step":          cut(a.Step, maxTitle),
		"Device":        cut(a.Device, maxTitle),
		"Expected rate": pct(a.ExpectedRate),
		"Observed rate": pct(a.ObservedRate),
		"Money at risk": decimal(a.MoneyAtRisk),
		"Currency":      cut(a.Currency, maxCurrency),
		"Since":         a.Since.UTC().Format(time.RFC3339),
	}
	if u := safeURL(a.EvidenceURL); u != "" {
		p["Evidence link"] = u
	}
	return p
}

// flowChannels are the Flow channel's destinations for msg: one per
// trigger, so that each is recorded once accepted.
func (s *Service) flowChannels(shop store.Shop, msg Message, timeout time.Duration) []channel {
	out := make([]channel, 0, len(msg.Flow))
	for _, tr := range msg.Flow {
		out = append(out, channel{"flow:" + tr.Handle + ":" + tr.Key, func(ctx context.Context, _ Message) error {
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := s.cfg.Flow.TriggerFlow(ctx, shop, tr.Handle, tr.Payload); err != nil {
				return flowFailure(err, timeout)
			}
			return nil
		}})
	}
	return out
}
