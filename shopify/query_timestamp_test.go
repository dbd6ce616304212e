package shopify_test

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/shopify"
)

func TestCheckTimestamp(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	ts := func(d time.Duration) []string { return []string{strconv.FormatInt(now.Add(d).Unix(), 10)} }
	cases := []struct {
		name string
		vals []string
		ok   bool
	}{
		{"now", ts(0), true},
		{"89s old", ts(-89 * time.Second), true},
		{"90s old", ts(-90 * time.Second), true},
		{"89s ahead", ts(89 * time.Second), true},
		{"91s old", ts(-91 * time.Second), false},
		{"stale by an hour", ts(-time.Hour), false},
		{"91s in the future", ts(91 * time.Second), false},
		{"missing", nil, false},
		{"empty", []string{""}, false},
		{"repeated", []string{"1700000000", "1700000000"}, false},
		{"not an integer", []string{"1700000000.5"}, false},
		{"signed", []string{"+1700000000"}, false},
		{"negative", []string{"-1700000000"}, false},
		{"text", []string{"yesterday"}, false},
		{"huge", []string{"99999999999999999999999"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			if tc.vals != nil {
				q["timestamp"] = tc.vals
			}
			err := shopify.CheckTimestamp(q, now, shopify.QueryTimestampTolerance)
			if tc.ok && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !tc.ok && !errors.Is(err, shopify.ErrBadTimestamp) {
				t.Fatalf("err = %v, want ErrBadTimestamp", err)
			}
		})
	}
}
