// Package storetest opens fresh, migrated stores for tests, on both
// dialects: SQLite in a temporary file and PostgreSQL in a temporary schema
// of the database named by FUNNELSCOPE_TEST_POSTGRES. PostgreSQL being
// unreachable fails the test; it never skips.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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
	if u := os.Getenv(EnvPostgres); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Open returns a fresh, migrated store on dialect, closed (and its schema
// or file removed) when the test ends. Options default to the test key; opts
// may change them.
func Open(t testing.TB, dialect string, opts ...func(*store.Options)) *store.Store {
	t.Helper()
	u := freshURL(t, dialect)
	o := store.Options{EncryptionKey: Key()}
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, u, o)
	if err != nil {
		t.Fatalf("storetest: opening %s store: %v", dialect, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrating %s store: %v", dialect, err)
	}
	return s
}

// URL returns the database URL of a fresh, migrated database of dialect
// (an SQLite file in t.TempDir() or a PostgreSQL schema dropped at the end
// of the test), for tests that start the whole app from a URL.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	u := freshURL(t, dialect)
	ctx := context.Background()
	s, err := store.Open(ctx, u, store.Options{EncryptionKey: Key()})
	if err != nil {
		t.Fatalf("storetest: opening %s store: %v", dialect, err)
	}
	defer func() { _ = s.Close() }()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrating %s store: %v", dialect, err)
	}
	return u
}

// ForEach runs fn as a subtest on a fresh store of each dialect.
func ForEach(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// freshURL creates an empty database for the test and returns its URL.
func freshURL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case store.DialectSQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "funnelscope.db")
	case store.DialectPostgres:
		return freshPostgresSchema(t)
	}
	t.Fatalf("storetest: unknown dialect %q", dialect)
	return ""
}

// freshPostgresSchema creates a randomly named schema, dropped when the test
// ends, and returns the base URL with search_path set to it.
func freshPostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("storetest: bad %s URL: %v", EnvPostgres, err)
	}
	admin := stdlib.OpenDB(*cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("storetest: PostgreSQL is unreachable at %s (set %s to a reachable database; store tests need it): %v",
			redact(base), EnvPostgres, err)
	}
	schema := "fs_test_" + randomHex(t, 8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("storetest: creating schema: %v", err)
	}
	t.Cleanup(func() {
		defer func() { _ = admin.Close() }()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s must be a URL: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// randomHex returns n random bytes in hex.
func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// redact hides a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
