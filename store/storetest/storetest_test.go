package storetest_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// fatalTB records Fatalf instead of stopping the real test.
type fatalTB struct {
	testing.TB
	msg string
}

type fatal struct{}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatal{})
}

func TestOpenFailsWhenPostgresIsUnreachable(t *testing.T) {
	t.Setenv(storetest.EnvPostgres, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	f := &fatalTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fatal); !ok {
					panic(r)
				}
			}
		}()
		storetest.Open(f, store.DialectPostgres)
	}()
	if !strings.Contains(f.msg, "PostgreSQL is unreachable") || !strings.Contains(f.msg, storetest.EnvPostgres) {
		t.Errorf("Fatalf message = %q", f.msg)
	}
}

func TestForEachAndURL(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	t.Run("each", func(t *testing.T) {
		storetest.ForEach(t, func(t *testing.T, s *store.Store) {
			mu.Lock()
			seen = append(seen, s.Dialect())
			mu.Unlock()
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := s.SchemaVersion(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	})
	slices.Sort(seen)
	if strings.Join(seen, ",") != "postgres,sqlite" {
		t.Errorf("ForEach ran on %v", seen)
	}
	for _, d := range storetest.Dialects() {
		u := storetest.URL(t, d)
		s, err := store.Open(context.Background(), u, store.Options{EncryptionKey: storetest.Key()})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.SchemaVersion(context.Background())
		_ = s.Close()
		if err != nil || v < 5 {
			t.Errorf("%s URL not migrated: %d, %v", d, v, err)
		}
	}
}

// TestFreshDatabasesAreApart writes into one fresh store of each dialect and
// finds nothing of it in a second: every test gets a copy of the template,
// not the template itself nor a database another test shares. Both are as
// migrated as Migrate makes them (migrating again applies nothing).
func TestFreshDatabasesAreApart(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			a, b := storetest.Open(t, d), storetest.Open(t, d)
			if _, err := a.InstallShop(ctx, "apart.myshopify.com", store.Tokens{AccessToken: "shpat_a", Scope: "read_orders"}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := b.ShopByDomain(ctx, "apart.myshopify.com"); err == nil {
				t.Fatalf("a shop installed in one fresh %s store shows in another", d)
			}
			if _, err := a.ShopByDomain(ctx, "apart.myshopify.com"); err != nil {
				t.Fatalf("the shop is not in the store it was installed in: %v", err)
			}
			before, err := b.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Migrate(ctx); err != nil {
				t.Fatalf("migrating a fresh %s store again: %v", d, err)
			}
			if after, err := b.SchemaVersion(ctx); err != nil || after != before {
				t.Errorf("migrating a fresh %s store again moved it from version %d to %d (%v)", d, before, after, err)
			}
		})
	}
}

// TestPostgresDatabaseIsDropped: a test's PostgreSQL database exists while
// the test runs and is gone once it has ended, and the template it was
// copied from stays, named after the migrations.
func TestPostgresDatabaseIsDropped(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("uses", func(t *testing.T) {
		u, err := url.Parse(storetest.URL(t, store.DialectPostgres))
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
		if !strings.HasPrefix(name, storetest.TestDatabasePrefix) {
			t.Errorf("test database %q lacks the prefix %q", name, storetest.TestDatabasePrefix)
		}
		if !databaseExists(t, name) {
			t.Fatalf("database %s does not exist during its test", name)
		}
	})
	if name == "" {
		t.Fatal("no database was made")
	}
	if databaseExists(t, name) {
		t.Errorf("database %s is still there after its test ended", name)
	}
	digest, err := store.MigrationsDigest(store.DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl := storetest.TemplatePrefix + digest[:16]; !databaseExists(t, tmpl) {
		t.Errorf("template %s is not on the server", tmpl)
	}
}

// TestSQLiteFileIsTheTestsOwn: the SQLite database lies in the test's
// temporary folder and holds the migrated schema.
func TestSQLiteFileIsTheTestsOwn(t *testing.T) {
	t.Parallel()
	var path string
	t.Run("uses", func(t *testing.T) {
		path = strings.TrimPrefix(storetest.URL(t, store.DialectSQLite), "sqlite:")
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("the SQLite file: %v", err)
		}
		s, err := store.Open(t.Context(), "sqlite:"+path, store.Options{EncryptionKey: storetest.Key()})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = s.Close() }()
		if v, err := s.SchemaVersion(t.Context()); err != nil || v < 5 {
			t.Errorf("the SQLite copy is not migrated: version %d, %v", v, err)
		}
	})
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the SQLite file %s outlived its test: %v", path, err)
	}
}

// databaseExists asks the server whether a database of that name exists.
func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(t.Context()) }()
	var ok bool
	if err := conn.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestMigrationsDigest(t *testing.T) {
	t.Parallel()
	pg, err := store.MigrationsDigest(store.DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := store.MigrationsDigest(store.DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := store.MigrationsDigest(store.DialectPostgres)
	if len(pg) != 64 || pg == lite || pg != again {
		t.Errorf("digests: postgres %q (again %q), sqlite %q", pg, again, lite)
	}
	if _, err := store.MigrationsDigest("oracle"); err == nil {
		t.Error("a digest for an unknown dialect")
	}
}
