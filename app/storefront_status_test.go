package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
	"github.com/funnelscope/funnelscope/store"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		0: "just now", 59 * time.Second: "just now", time.Minute: "1 minute ago", 3*time.Minute + 59*time.Second: "3 minutes ago",
		time.Hour: "1 hour ago", 23 * time.Hour: "23 hours ago", 24 * time.Hour: "1 day ago", 50 * time.Hour: "2 days ago",
	} {
		if got := ago(now, now.Add(-d)); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestPixelStatusStates: each activation and last event gives one state,
// with the words and the retry the merchant needs; events prove the pixel
// whatever the activation says, but only those of the last 24 hours.
func TestPixelStatusStates(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	recent, old := now.Add(-3*time.Minute), now.Add(-pixelConnectedWithin)
	act := func(state, code string) store.PixelActivation {
		return store.PixelActivation{State: state, ErrorCode: code, WebPixelID: "gid://shopify/WebPixel/1"}
	}
	for _, tc := range []struct {
		name       string
		act        store.PixelActivation
		ok         bool
		seen       *time.Time
		demo       bool
		state      string
		retry      bool
		wordsMatch string
	}{
		{"never queued", store.PixelActivation{}, false, nil, false, pixelNotSetUp, true, "Connect the pixel"},
		{"never queued, demo", store.PixelActivation{}, false, nil, true, pixelNotSetUp, false, "demo"},
		{"queued", act(store.PixelPending, ""), true, nil, false, pixelPending, false, "takes a moment"},
		{"active, no event", act(store.PixelActive, ""), true, nil, false, pixelWaiting, false, "Events arrive"},
		{"active, recent event", act(store.PixelActive, ""), true, &recent, false, pixelConnected, false, "whole funnel"},
		{"failed, recent event", act(store.PixelFailed, "NO_EXTENSION"), true, &recent, false, pixelConnected, false, "whole funnel"},
		{"never queued, recent event", store.PixelActivation{}, false, &recent, true, pixelConnected, false, "whole funnel"},
		{"active, event a day ago", act(store.PixelActive, ""), true, &old, false, pixelQuiet, true, "1 day ago"},
		{"pending, event a day ago", act(store.PixelPending, ""), true, &old, false, pixelPending, false, "takes a moment"},
		{"not deployed", act(store.PixelFailed, shopify.PixelNoExtension), true, nil, false, pixelFailed, true, "not been released"},
		{"no access", act(store.PixelFailed, shopify.PixelAccessDenied), true, nil, false, pixelFailed, true, "approve the access"},
		{"reauthorize", act(store.PixelFailed, pixelErrReauthorize), true, nil, false, pixelFailed, true, "no longer accepts"},
		{"unreachable", act(store.PixelFailed, pixelErrUnreachable), true, nil, false, pixelFailed, true, "could not reach Shopify"},
		{"bad settings", store.PixelActivation{State: store.PixelFailed, ErrorCode: "INVALID_SETTINGS", ErrorMessage: "does not match"}, true, nil, false, pixelFailed, true, "(does not match)"},
	} {
		p := newPixelStatus(now, tc.act, tc.ok, tc.seen, tc.demo)
		if p.State != tc.state || p.CanRetry != tc.retry || !strings.Contains(p.Label+" "+p.Detail, tc.wordsMatch) || p.Label == "" {
			t.Errorf("%s: %+v, want state %s, retry %v, words %q", tc.name, p, tc.state, tc.retry, tc.wordsMatch)
		}
	}
}

func TestEmbedStatusStates(t *testing.T) {
	dawn := shopify.ThemeEmbed{ThemeID: "gid://shopify/OnlineStoreTheme/1", ThemeName: "Dawn"}
	on := dawn
	on.Present, on.Enabled = true, true
	for _, tc := range []struct {
		e     shopify.ThemeEmbed
		err   error
		demo  bool
		state string
	}{
		{on, nil, false, embedOn},
		{dawn, nil, false, embedOff},
		{shopify.ThemeEmbed{}, nil, false, embedNoTheme},
		{on, errors.New("timeout"), false, embedUnknown},
		{on, nil, true, embedUnknown},
	} {
		if got := newEmbedStatus(tc.e, tc.err, tc.demo); got.State != tc.state || got.Label == "" || got.Detail == "" {
			t.Errorf("%+v %v demo %v: %+v, want %s", tc.e, tc.err, tc.demo, got, tc.state)
		}
	}
}
