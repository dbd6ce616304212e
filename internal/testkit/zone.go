package testkit

import (
	"testing"
	"time"
)

// Zone loads the IANA time zone name, failing the test when it cannot.
func Zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("testkit: loading time zone %s: %v", name, err)
	}
	return loc
}
