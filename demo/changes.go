package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/demo/journeys"
	"github.com/funnelscope/funnelscope/shopify"
)

// Change is one of the demo's dated store changes and what it did to the
// shoppers. It is delivered the way the app hears of it: a Theme is a
// signed themes/publish webhook publishing a theme of that name; any
// other change is one the merchant records through POST /api/changes.
type Change struct {
	// Ago is how long before History.Now the change was made.
	Ago         time.Duration
	Kind        funnel.ChangeKind
	Description string
	// Theme, when set, is the name of the theme the change published.
	Theme string
	// Before are effects in force from the start of the history (how a
	// step was before the change mended it), After the change's own,
	// from its time on; their At is ignored.
	Before, After []journeys.Effect
}

// DemoChanges are the store changes of the demo's history: one that did
// nothing (a price change, 74 days ago), one that helped a step (showing
// the shipping costs on the product page, 45 days ago: fewer shoppers
// leave at the address step when the shipping price comes as no
// surprise), and one that hurt mobile payment (a new theme, 15 days and
// 9 hours ago, whose payment button breaks on phones for about half of
// the shoppers who get there).
func DemoChanges() []Change {
	return []Change{
		{
			Ago: 74*24*time.Hour + 5*time.Hour, Kind: funnel.ChangePriceChanged,
			Description: "Canvas Tote Bag from $21 to $19",
		},
		{
			Ago: 45*24*time.Hour + 3*time.Hour, Kind: funnel.ChangeMerchantNote,
			Description: "Shipping costs shown on the product page",
			Before:      []journeys.Effect{{Step: funnel.StagePaymentReached, Rate: 0.78}},
			After:       []journeys.Effect{{Step: funnel.StagePaymentReached, Rate: 0.90}},
		},
		{
			Ago: 15*24*time.Hour + 9*time.Hour, Kind: funnel.ChangeThemePublished, Theme: "Dawn — new product page",
			After: []journeys.Effect{{Step: funnel.StageCompleted, Device: funnel.DeviceMobile, Factor: 0.5}},
		},
	}
}

// demoDevices are the kinds of device the shoppers of a history with
// changes shop on: phones convert less well than desktops, as the
// storefront's cart and order weights of each device say (about 0.6 as
// well from cart to order: 0.88² / 1.12²).
func demoDevices() []journeys.WeightedDevice {
	return []journeys.WeightedDevice{
		{Device: funnel.DeviceMobile, Weight: 55, Factor: 0.88},
		{Device: funnel.DeviceTablet, Weight: 5, Factor: 1},
		{Device: funnel.DeviceDesktop, Weight: 40, Factor: 1.12},
	}
}

// at is when the change was made, seen from now.
func (c Change) at(now time.Time) time.Time {
	return now.UTC().Truncate(time.Second).Add(-c.Ago)
}

// effects are the history's effects of its changes, dated.
func (h History) effects() []journeys.Effect {
	var out []journeys.Effect
	for _, c := range h.Changes {
		for _, e := range c.Before {
			e.At = time.Time{}
			out = append(out, e)
		}
		for _, e := range c.After {
			e.At = c.at(h.Now())
			out = append(out, e)
		}
	}
	return out
}

// ChangeTimes are when the history's changes were made, in the order of
// Changes.
func (h History) ChangeTimes() []time.Time {
	h.defaults()
	out := make([]time.Time, len(h.Changes))
	for i, c := range h.Changes {
		out[i] = c.at(h.Now())
	}
	return out
}

// deliverChanges tells the app of the history's changes: a theme's as
// Shopify would (a signed themes/publish), the others as the merchant
// would (POST /api/changes). It runs once the journeys are delivered, as
// a merchant's change may not be dated before the shop's data begins.
func (h History) deliverChanges(ctx context.Context) error {
	for i, c := range h.Changes {
		at := c.at(h.Now())
		if c.Theme != "" {
			if err := h.deliver(ctx, themeWebhook(int64(i+1), c.Theme, at)); err != nil {
				return err
			}
			continue
		}
		body, err := json.Marshal(map[string]string{"at": at.Format(time.RFC3339), "kind": string(c.Kind), "description": c.Description})
		if err != nil {
			return fmt.Errorf("demo: encoding change %q: %w", c.Description, err)
		}
		if err := h.postChange(ctx, body); err != nil {
			return fmt.Errorf("demo: recording change %q: %w", c.Description, err)
		}
	}
	h.progress("demo data: %d store changes recorded\n", len(h.Changes))
	return nil
}

// themeWebhook is the themes/publish Shopify sends when the theme id of
// name is published at at.
func themeWebhook(id int64, name string, at time.Time) journeys.Webhook {
	body, err := json.Marshal(map[string]any{
		"id": 910000 + id, "name": name, "role": "main",
		"created_at": at.Add(-72 * time.Hour).Format(time.RFC3339), "updated_at": at.Format(time.RFC3339),
	})
	if err != nil {
		panic(err) // a map of strings and numbers always encodes
	}
	return journeys.Webhook{Topic: shopify.TopicThemesPublish, ID: "demo-theme-" + strconv.FormatInt(id, 10), At: at, Body: body}
}

// postChange posts a change to POST /api/changes with a session token,
// as the embedded page does.
func (h History) postChange(ctx context.Context, body []byte) error {
	tok, err := shopify.MintSessionToken(h.APIKey, h.Secret, h.Shop, "1", h.Now(), time.Minute)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.BaseURL+"/api/changes", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.Client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// ScanDays are the moments Fill calls ScanAt at: 20:00 in Zone of every
// day from the newest change's on, after that change and not after Now;
// none without changes.
func (h History) ScanDays() []time.Time {
	h.defaults()
	if len(h.Changes) == 0 {
		return nil
	}
	var newest time.Time
	for _, t := range h.ChangeTimes() {
		if t.After(newest) {
			newest = t
		}
	}
	now := h.Now()
	y, m, d := newest.In(h.Zone).Date()
	var out []time.Time
	for i := 0; ; i++ {
		day := time.Date(y, m, d+i, 20, 0, 0, 0, h.Zone)
		if day.After(now) {
			return out
		}
		if day.After(newest) {
			out = append(out, day)
		}
	}
}

// The size of the history demo mode fills itself with: enough shoppers
// in each change's two-week windows for a clear verdict, and the pixel on
// for long enough that the newest change's windows (from 29 days ago)
// have devices.
const (
	DemoSessions  = 6000
	DemoPixelDays = 31
)
