package storetest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/funnelscope/funnelscope/store"
)

// Names of the databases storetest makes on the PostgreSQL server. A test's
// own database is dropped when the test ends. The template is kept, one
// per set of migrations (TemplatePrefix and the first 16 hex digits of
// store.MigrationsDigest), so that the next run, and every test binary
// running beside this one, copies it instead of migrating anew; a template
// of older migrations may be dropped by hand at any time.
const (
	TestDatabasePrefix = "funnelscope_test_"
	TemplatePrefix     = "funnelscope_template_"
)

// templateLock is the advisory lock, in the base database, under which a
// template is built: test binaries of several packages start at once.
const templateLock = "SELECT pg_advisory_lock(hashtext('funnelscope.storetest.template'))"

// freshPostgres creates a database for the test as a copy of the migrated
// template, dropped when the test ends, and returns its URL: the base URL
// with the database's name as its path.
func freshPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	return copyPostgres(t, func(ctx context.Context, admin *pgx.Conn) (string, error) {
		return ensureTemplate(ctx, admin, base)
	})
}

// copyPostgres creates a database for the test as a copy of the database
// source names, dropped when the test ends, and returns its URL.
func copyPostgres(t testing.TB, source func(ctx context.Context, admin *pgx.Conn) (string, error)) string {
	t.Helper()
	base := PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := connect(t, ctx, base)
	defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()
	name := TestDatabasePrefix + randomHex(t, 8)
	// Twice at most: a template dropped by hand between the look and the
	// copy is built again.
	for attempt := 1; ; attempt++ {
		tmpl, err := source(ctx, admin)
		if err != nil {
			t.Fatalf("storetest: %v", err)
		}
		_, err = admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		var pgErr *pgconn.PgError
		if err == nil {
			break
		}
		if attempt == 2 || !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
			t.Fatalf("storetest: creating database %s from %s: %v", name, tmpl, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin := connect(t, ctx, base)
		defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()
		// FORCE: a connection the test left open must not keep it.
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: dropping database %s: %v", name, err)
		}
	})
	u, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("storetest: %s must be a URL: %v", EnvPostgres, err)
	}
	return u
}

// connect opens one connection to base, failing the test when PostgreSQL
// cannot be reached.
func connect(t testing.TB, ctx context.Context, base string) *pgx.Conn {
	t.Helper()
	conn, err := connectErr(ctx, base)
	if err != nil {
		t.Fatalf("%v", err) // Fatalf: storetest_test.go catches that one
	}
	return conn
}

// connectErr opens one connection to base, or says why PostgreSQL cannot
// be reached.
func connectErr(ctx context.Context, base string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return nil, fmt.Errorf("storetest: bad %s URL: %w", EnvPostgres, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(pingCtx, cfg)
	if err == nil {
		if err = conn.Ping(pingCtx); err != nil {
			_ = conn.Close(context.WithoutCancel(ctx))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("storetest: PostgreSQL is unreachable at %s (set %s to a reachable database; store tests need it): %w",
			redact(base), EnvPostgres, err)
	}
	return conn, nil
}

// ensureTemplate returns the name of the migrated template database of this
// binary's migrations, building it first if the server has none. Concurrent
// builders wait for one another on an advisory lock; the template appears
// under its name only once it is complete, by a rename.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, base string) (string, error) {
	digest, err := store.MigrationsDigest(store.DialectPostgres)
	if err != nil {
		return "", err
	}
	name := TemplatePrefix + digest[:16]
	if ok, err := databaseExists(ctx, admin, name); err != nil || ok {
		return name, err
	}
	if _, err := admin.Exec(ctx, templateLock); err != nil {
		return "", fmt.Errorf("taking the template lock: %w", err)
	}
	defer func() {
		_, _ = admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext('funnelscope.storetest.template'))")
	}()
	if ok, err := databaseExists(ctx, admin, name); err != nil || ok {
		return name, err // another binary built it while this one waited
	}
	build := name + "_build"
	// A build that was interrupted before its rename leaves this behind.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("dropping an unfinished template: %w", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+build); err != nil {
		return "", fmt.Errorf("creating the template database: %w", err)
	}
	u, err := withDatabase(base, build)
	if err != nil {
		return "", err
	}
	s, err := store.Open(ctx, u, store.Options{})
	if err != nil {
		return "", fmt.Errorf("opening the template database: %w", err)
	}
	err = s.Migrate(ctx)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("migrating the template database: %w", err)
	}
	// No one may connect to a template while it is copied; the rename
	// needs it too, and so waits for the closed pool's backends to go.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+build+" WITH ALLOW_CONNECTIONS false"); err != nil {
		return "", fmt.Errorf("closing the template to connections: %w", err)
	}
	if err := renameWhenUnused(ctx, admin, build, name); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true"); err != nil {
		return "", fmt.Errorf("marking the template: %w", err)
	}
	return name, nil
}

// endSessions ends every session on database name (the backends of a pool
// just closed may not have gone yet) and waits until none is left.
func endSessions(ctx context.Context, admin *pgx.Conn, name string) error {
	for {
		var left int
		err := admin.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", name).Scan(&left)
		if err != nil {
			return fmt.Errorf("ending sessions on %s: %w", name, err)
		}
		if left == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ending sessions on %s: %w", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// renameWhenUnused renames database from to to, ending what sessions are
// still on it (the backends of a pool just closed may not have gone yet).
func renameWhenUnused(ctx context.Context, admin *pgx.Conn, from, to string) error {
	for {
		_, err := admin.Exec(ctx, "ALTER DATABASE "+from+" RENAME TO "+to)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55006" { // object_in_use
			if err != nil {
				return fmt.Errorf("renaming the template: %w", err)
			}
			return nil
		}
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", from); err != nil {
			return fmt.Errorf("ending sessions on the template: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("renaming the template: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// databaseExists reports whether the server has a database of that name.
func databaseExists(ctx context.Context, admin *pgx.Conn, name string) (bool, error) {
	var ok bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&ok); err != nil {
		return false, fmt.Errorf("looking for database %s: %w", name, err)
	}
	return ok, nil
}

// withDatabase returns base with its path naming database name; its query
// (sslmode and the like) is kept, its search_path dropped.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parsing %s: %w", EnvPostgres, err)
	}
	if !strings.HasPrefix(u.Scheme, "postgres") {
		return "", fmt.Errorf("%s is not a postgres:// URL", EnvPostgres)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
