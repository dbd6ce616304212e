package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/funnelscope/funnelscope/store"
)

// sqliteTemplate is the bytes of an SQLite file migrated once per test
// process; every test gets a copy. It is memoised, not state a test could
// change: the migrations it holds are those compiled into the binary.
var sqliteTemplate = sync.OnceValues(migratedSQLite)

// freshSQLite writes a copy of the migrated template into t.TempDir() and
// returns its URL.
func freshSQLite(t testing.TB) string {
	t.Helper()
	b, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return writeSQLite(t, b)
}

// writeSQLite writes b, a database file's bytes, into t.TempDir() and
// returns the copy's URL.
func writeSQLite(t testing.TB, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "funnelscope.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("storetest: writing the SQLite database: %v", err)
	}
	return "sqlite:" + path
}

// migratedSQLite migrates an SQLite file in a temporary folder, folds its
// write-ahead log into it, and returns its bytes; the folder is removed.
func migratedSQLite() ([]byte, error) {
	dir, err := os.MkdirTemp("", "funnelscope-sqlite-template-")
	if err != nil {
		return nil, fmt.Errorf("making the SQLite template's folder: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "template.db")
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+path, store.Options{EncryptionKey: Key()})
	if err != nil {
		return nil, fmt.Errorf("opening the SQLite template: %w", err)
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("migrating the SQLite template: %w", err)
	}
	return closeSQLite(ctx, s, path)
}

// closeSQLite folds the write-ahead log of s, the store of the file at
// path, into the file, closes s and returns the file's bytes.
func closeSQLite(ctx context.Context, s *store.Store, path string) ([]byte, error) {
	// The file alone must hold the data: nothing may stay in the WAL.
	_, err := s.DB().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	if cerr := s.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("folding the write-ahead log of %s: %w", filepath.Base(path), err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%s kept %d bytes in its write-ahead log", filepath.Base(path), fi.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Base(path), err)
	}
	return b, nil
}
