package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestMigrateUpDownUp(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v, err := s.SchemaVersion(ctx)
		if err != nil || v < 5 {
			t.Fatalf("SchemaVersion = %d, %v; want >= 5", v, err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if err := s.MigrateDown(ctx); err != nil {
			t.Fatalf("MigrateDown: %v", err)
		}
		for _, table := range []string{"shops", "sessions", "deliveries", "settings", "alerts", "river_job"} {
			if _, err := s.DB().ExecContext(ctx, "SELECT 1 FROM "+table); err == nil {
				t.Errorf("table %s still exists after MigrateDown", table)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate after down: %v", err)
		}
		install(t, s, "again.myshopify.com")
		var n int
		if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n); err != nil {
			t.Fatalf("river_job after re-migrate: %v", err)
		}
	})
}

func TestSQLiteVersion(t *testing.T) {
	s := storetest.Open(t, store.DialectSQLite)
	if s.Dialect() != store.DialectSQLite {
		t.Fatalf("Dialect = %q", s.Dialect())
	}
	v, err := s.SQLiteVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(v, ".")
	if len(parts) < 2 || parts[0] != "3" || len(parts[1]) < 2 || parts[1] < "45" {
		t.Fatalf("sqlite_version() = %s, want >= 3.45", v)
	}
	t.Logf("sqlite_version() = %s", v)
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"mysql://x", "sqlite::memory:", "sqlite:", "funnelscope.db"} {
		if _, err := store.Open(ctx, u, store.Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
	_, err := store.Open(ctx, "mysql://localhost/db", store.Options{})
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("Open(mysql) error = %v, want it to name the scheme", err)
	}
	if _, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/x.db", store.Options{EncryptionKey: []byte("short")}); err == nil {
		t.Error("Open with a short key succeeded")
	}
}

func TestOpenCreatesSQLiteDir(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/a/b/app.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.DB().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.DB().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}
