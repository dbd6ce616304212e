// Package storetest opens fresh, migrated stores for tests, on both
// dialects: SQLite in a temporary file and PostgreSQL in a database of its
// own on the server named by FUNNELSCOPE_TEST_POSTGRES. Neither is migrated
// anew: each is a copy of a template migrated once (sqlite.go,
// postgres.go). PostgreSQL being unreachable fails the test; it never
// skips.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// EnvPostgres names the environment variable with the PostgreSQL URL tests
// use, and DefaultPostgresURL is used when it is unset.
const (
	EnvPostgres        = "FUNNELSCOPE_TEST_POSTGRES"
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// Dialects returns the dialects every store test runs on.
func Dialects() []string {
	return []string{store.DialectPostgres, store.DialectSQLite}
}

// Key returns the fixed 32-byte token encryption key of tests.
func Key() []byte {
	return []byte("funnelscope-test-key-32-bytes!!!")
}

// PostgresURL returns the base PostgreSQL URL of tests.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return postgresBaseURL()
}

// postgresBaseURL is EnvPostgres's URL, or DefaultPostgresURL.
func postgresBaseURL() string {
	if u := os.Getenv(EnvPostgres); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Open returns a fresh, migrated store on dialect, closed (and its
// database or file removed) when the test ends. Options default to the test
// key; opts may change them.
func Open(t testing.TB, dialect string, opts ...func(*store.Options)) *store.Store {
	t.Helper()
	u := URL(t, dialect)
	o := store.Options{EncryptionKey: Key()}
	for _, f := range opts {
		f(&o)
	}
	s, err := store.Open(context.Background(), u, o)
	if err != nil {
		t.Fatalf("storetest: opening %s store: %v", dialect, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// URL returns the database URL of a fresh, migrated database of dialect
// (an SQLite file in t.TempDir() or a PostgreSQL database dropped at the
// end of the test), for tests that start the whole app from a URL.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case store.DialectSQLite:
		return freshSQLite(t)
	case store.DialectPostgres:
		return freshPostgres(t)
	}
	t.Fatalf("storetest: unknown dialect %q", dialect)
	return ""
}

// ForEach runs fn as a subtest on a fresh store of each dialect. The
// subtests run in parallel with each other (and with the other parallel
// tests of the package), so fn must not change process-wide state.
func ForEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d))
		})
	}
}

// randomHex returns n random bytes in hex.
func randomHex(t testing.TB, n int) string {
	s, err := randomHexErr(n)
	if err != nil {
		t.Fatalf("%v", err) // Fatalf: storetest_test.go catches that one
	}
	return s
}

// randomHexErr returns n random bytes in hex.
func randomHexErr(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("storetest: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// redact hides a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Install puts a shop in st as an install leaves it, with a live access
// token ("shpat_" and the domain) and no job, and returns it.
func Install(t testing.TB, st *store.Store, domain string) store.Shop {
	t.Helper()
	sh, err := InstallShop(context.Background(), st, domain)
	if err != nil {
		t.Fatalf("%v", err) // Fatalf: storetest_test.go catches that one
	}
	return sh
}

// InstallShop is Install for code without a test, such as a Seed's fill.
func InstallShop(ctx context.Context, st *store.Store, domain string) (store.Shop, error) {
	sh, err := st.InstallShop(ctx, domain, store.Tokens{AccessToken: "shpat_" + domain, Scope: "read_orders"}, nil)
	if err != nil {
		return sh, fmt.Errorf("storetest: installing %s: %w", domain, err)
	}
	return sh, nil
}

// IngestStorefront accepts batches as POST /collect does
// (store.AcceptStorefront) and then folds everything accepted
// (store.DrainStorefront), as the app's storefront folder does in the
// background, so that a test reads the visits at once.
func IngestStorefront(ctx context.Context, st *store.Store, batches []store.StorefrontBatch) error {
	if err := st.AcceptStorefront(ctx, batches); err != nil {
		return err
	}
	return st.DrainStorefront(ctx)
}
