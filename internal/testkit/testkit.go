// Package testkit holds the helpers the tests of several packages share: a
// settable clock, the repository's Shopify payloads, a log buffer the app's
// goroutines write while a test reads it, one shared headless Chromium per
// test binary, and a bounded wait for background work. It imports nothing
// of ours, so that any package's tests may use it
// without linking the store; a shop installed in a store is
// storetest.Install. It is for tests only.
package testkit

import (
	"testing"
	"time"
)

// Eventually polls cond until it holds, failing the test with what it
// waited for once 15 seconds have passed. It bounds a wait for background
// work; it does not assert speed.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	if cond() {
		return
	}
	t.Fatalf("timed out waiting for %s", what)
}
