// Package store is Funnelscope's persistence: shops and their encrypted
// tokens, webhook deliveries, funnel sessions, settings and the queries
// behind the reports, on PostgreSQL or SQLite through gorm. Schema changes
// are versioned goose migrations embedded per dialect; River's own tables
// are migrated by rivermigrate. The app never builds SQL: every query lives
// here, and every query that touches a shop's data is scoped by shop_id.
package store

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"
)

// Dialect names returned by (*Store).Dialect.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Options configures Open.
type Options struct {
	// EncryptionKey is the 32-byte AES-256 key that encrypts stored Shopify
	// tokens. It may be empty for commands that never touch tokens (such as
	// migrate); token operations then fail with ErrNoEncryptionKey.
	EncryptionKey []byte
	// Now is the clock; nil means time.Now. Times are always stored in UTC.
	Now func() time.Time
	// Logger receives the store's own log lines; nil discards them. SQL is
	// never logged (parameters carry tokens and personal data).
	Logger *slog.Logger
	// Rand is the source of the random pixel keys; nil means crypto/rand.
	Rand io.Reader
	// MaxOpenConns caps the connection pool; 0 means 20 on PostgreSQL and 1
	// on SQLite (as River advises; writers are serialised there anyway).
	MaxOpenConns int
}

// Store is the database handle shared by the app, its jobs and River.
type Store struct {
	gdb     *gorm.DB
	sqlDB   *sql.DB
	dialect string
	aead    cipher.AEAD
	now     func() time.Time
	rand    io.Reader
	log     *slog.Logger
}

// Dialect returns "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// Writers returns how many write transactions the store serves well at
// once, for a caller that batches its writes (the webhooks' group commit):
// one on SQLite, whose writers BEGIN IMMEDIATE serialises, and two on
// PostgreSQL, so that one batch gathers while another commits. More made
// smaller batches for the same work and cost more than they gave
// (BENCHMARKS.md, the ingest). Never more than the pool has connections.
func (s *Store) Writers() int {
	n := 1
	if s.isPG() {
		n = 2
	}
	if conns := s.sqlDB.Stats().MaxOpenConnections; conns > 0 {
		n = min(n, conns)
	}
	return n
}

// DB returns the underlying *sql.DB shared by gorm, goose and River.
func (s *Store) DB() *sql.DB { return s.sqlDB }

// Ping checks that the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	if err := s.sqlDB.Close(); err != nil {
		return fmt.Errorf("store: closing: %w", err)
	}
	return nil
}

// nowUTC returns the injected clock's time in UTC, truncated to microseconds
// (PostgreSQL's precision) so that values round-trip exactly.
func (s *Store) nowUTC() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// utc normalises a time for use as a query parameter or stored value.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// utcPtr is utc for optional times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

// db returns a gorm session bound to ctx.
func (s *Store) db(ctx context.Context) *gorm.DB { return s.gdb.WithContext(ctx) }

// isPG reports whether the store runs on PostgreSQL.
func (s *Store) isPG() bool { return s.dialect == DialectPostgres }
