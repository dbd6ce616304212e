package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/store"
)

// SeedDatabasePrefix starts the name of a seed's PostgreSQL database: the
// filled database every Open of the seed copies. Seed.Drop drops it; a
// test process that died before leaves it behind, to be dropped by hand.
const SeedDatabasePrefix = "funnelscope_seed_"

// A Seed is a store of one dialect filled once per test process, the first
// time a test opens it, and copied for every test that opens it: tests
// share the cost of a large fixture (a demo history delivered through the
// app's webhooks) without sharing its rows, so a test may write to its
// copy. The fill is memoised, not state a test could change.
type Seed struct {
	dialect string
	fill    func(ctx context.Context, st *store.Store) error
	once    sync.Once
	filled  atomic.Bool // the fill returned, with or without an error
	b       seeded
	err     error
}

// seeded is a filled seed: the PostgreSQL database to copy or the SQLite
// file's bytes, and how long the fill took.
type seeded struct {
	database string
	sqlite   []byte
	took     time.Duration
}

// NewSeed returns a seed of dialect that fill fills, given a fresh, migrated
// store (with the test key) that it must leave open. fill must not depend
// on the test that happens to open the seed first.
func NewSeed(dialect string, fill func(ctx context.Context, st *store.Store) error) *Seed {
	return &Seed{dialect: dialect, fill: fill}
}

// build fills the seed the first time it is called and returns it.
func (s *Seed) build() (seeded, error) {
	s.once.Do(func() {
		started := time.Now()
		switch s.dialect {
		case store.DialectPostgres:
			s.b.database, s.err = seedPostgres(s.fill)
		case store.DialectSQLite:
			s.b.sqlite, s.err = seedSQLite(s.fill)
		default:
			s.err = fmt.Errorf("unknown dialect %q", s.dialect)
		}
		s.b.took = time.Since(started)
		if s.err != nil {
			s.err = fmt.Errorf("storetest: filling the %s seed: %w", s.dialect, s.err)
		}
		s.filled.Store(true)
	})
	if !s.filled.Load() {
		return seeded{}, fmt.Errorf("storetest: the fill of the %s seed stopped its test before it returned", s.dialect)
	}
	return s.b, s.err
}

// Open returns a copy of the seed (filled first if no test has opened it
// yet), closed and removed when the test ends, like Open's stores.
func (s *Seed) Open(t testing.TB) *store.Store {
	t.Helper()
	b, err := s.build()
	if err != nil {
		t.Fatalf("%v", err) // Fatalf: storetest_test.go catches that one
	}
	t.Logf("storetest: a copy of the %s seed (filled once, in %s)", s.dialect, b.took.Round(time.Millisecond))
	var u string
	switch s.dialect {
	case store.DialectPostgres:
		u = copyPostgres(t, func(context.Context, *pgx.Conn) (string, error) { return b.database, nil })
	case store.DialectSQLite:
		u = writeSQLite(t, b.sqlite)
	}
	st, err := store.Open(context.Background(), u, store.Options{EncryptionKey: Key()})
	if err != nil {
		t.Fatalf("storetest: opening the copy of the %s seed: %v", s.dialect, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// Drop drops the seed's PostgreSQL database if a test filled it; TestMain
// calls it once the tests have run. Dropping an SQLite seed, or one never
// filled, does nothing.
func (s *Seed) Drop() error {
	if !s.filled.Load() || s.b.database == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := connectErr(ctx, postgresBaseURL())
	if err != nil {
		return err
	}
	defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+s.b.database+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("storetest: dropping the seed %s: %w", s.b.database, err)
	}
	return nil
}

// seedPostgres copies the migrated template into a database of its own,
// fills it and closes it to connections, so that it can be copied, and
// returns its name.
func seedPostgres(fill func(context.Context, *store.Store) error) (name string, err error) {
	base := postgresBaseURL()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	admin, err := connectErr(ctx, base)
	if err != nil {
		return "", err
	}
	defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()
	tmpl, err := ensureTemplate(ctx, admin, base)
	if err != nil {
		return "", err
	}
	suffix, err := randomHexErr(8)
	if err != nil {
		return "", err
	}
	name = SeedDatabasePrefix + suffix
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		return "", fmt.Errorf("creating database %s from %s: %w", name, tmpl, err)
	}
	defer func() {
		if err != nil {
			_, _ = admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
	}()
	u, err := withDatabase(base, name)
	if err != nil {
		return "", err
	}
	st, err := store.Open(ctx, u, store.Options{EncryptionKey: Key()})
	if err != nil {
		return "", fmt.Errorf("opening the seed database: %w", err)
	}
	err = fill(ctx, st)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the seed database: %w", cerr)
	}
	if err != nil {
		return "", err
	}
	// A database is copied only while no one is connected to it.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return "", fmt.Errorf("closing the seed to connections: %w", err)
	}
	if err := endSessions(ctx, admin, name); err != nil {
		return "", err
	}
	return name, nil
}

// seedSQLite fills a copy of the migrated template, folds its write-ahead
// log into it, and returns its bytes.
func seedSQLite(fill func(context.Context, *store.Store) error) ([]byte, error) {
	tmpl, err := sqliteTemplate()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "funnelscope-sqlite-seed-")
	if err != nil {
		return nil, fmt.Errorf("making the SQLite seed's folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "seed.db")
	if err := os.WriteFile(path, tmpl, 0o600); err != nil {
		return nil, fmt.Errorf("writing the SQLite seed: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, "sqlite:"+path, store.Options{EncryptionKey: Key()})
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite seed: %w", err)
	}
	err = fill(ctx, st)
	if err == nil {
		return closeSQLite(ctx, st, path)
	}
	_ = st.Close()
	return nil, err
}
