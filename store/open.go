package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// MinSQLiteVersion is the oldest SQLite engine Open accepts: River's
// migrations need jsonb(), added in 3.45.
const MinSQLiteVersion = "3.45.0"

// Open connects to databaseURL: "postgres://…" or "postgresql://…" for
// PostgreSQL (pgx), "sqlite:PATH" for an SQLite file (pure-Go glebarez
// driver; the parent directory is created when missing). It does not run
// migrations; call Migrate.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	s := &Store{now: opts.Now, rand: opts.Rand, log: opts.Logger}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if len(opts.EncryptionKey) > 0 {
		aead, err := newAEAD(opts.EncryptionKey)
		if err != nil {
			return nil, err
		}
		s.aead = aead
	}
	gcfg := &gorm.Config{
		Logger:                                   logger.Default.LogMode(logger.Silent),
		NowFunc:                                  s.nowUTC,
		SkipDefaultTransaction:                   true,
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}

	scheme, rest, _ := strings.Cut(databaseURL, ":")
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		cfg, err := pgx.ParseConfig(databaseURL)
		if err != nil {
			return nil, fmt.Errorf("store: parsing PostgreSQL URL: %w", redactErr(err, databaseURL))
		}
		// A URL that sets either wins. A report plan that crossed
		// jit_above_cost through a join PostgreSQL misestimated paid
		// JIT's compile time on every request: that read was about 15%
		// faster without it (BENCHMARKS.md, "JIT off"). And a report's
		// reads run with the range and the clock of each request: after
		// five runs on a connection, PostgreSQL's plan cache may settle
		// on a generic plan made without them, such as the report's read
		// of the recently active sessions through the shop's sessions by
		// start (2.2 s on a shop of a million sessions, where the plan
		// for the values reads its index of open sessions in 3 ms:
		// BENCHMARKS.md, "Generic plans"). The ingest's writes, whose
		// plans do not depend on their values, ask for generic plans
		// themselves.
		for param, value := range map[string]string{"jit": "off", "plan_cache_mode": "force_custom_plan"} {
			if _, set := cfg.RuntimeParams[param]; !set {
				cfg.RuntimeParams[param] = value
			}
		}
		sqlDB := stdlib.OpenDB(*cfg)
		n := opts.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), gcfg)
		if err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("store: opening PostgreSQL: %w", err)
		}
		s.gdb, s.sqlDB, s.dialect = gdb, sqlDB, DialectPostgres
	case "sqlite":
		path, err := sqlitePath(rest)
		if err != nil {
			return nil, err
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: creating SQLite directory: %w", err)
			}
		}
		sqlDB, err := sql.Open(sqlite.DriverName, sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("store: opening SQLite: %w", err)
		}
		n := opts.MaxOpenConns
		if n <= 0 {
			n = 1
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		gdb, err := gorm.Open(&sqlite.Dialector{Conn: sqlDB}, gcfg)
		if err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("store: opening SQLite: %w", err)
		}
		s.gdb, s.sqlDB, s.dialect = gdb, sqlDB, DialectSQLite
	default:
		return nil, fmt.Errorf("store: unsupported database URL scheme %q (want postgres://, postgresql:// or sqlite:PATH)", scheme)
	}

	if err := s.Ping(ctx); err != nil {
		_ = s.sqlDB.Close()
		return nil, err
	}
	if s.dialect == DialectSQLite {
		if err := s.checkSQLiteVersion(ctx); err != nil {
			_ = s.sqlDB.Close()
			return nil, err
		}
	}
	return s, nil
}

// sqlitePath extracts the file path from the part of a sqlite: URL after the
// colon ("sqlite:data/app.db", "sqlite:///abs/app.db").
func sqlitePath(rest string) (string, error) {
	path := strings.TrimPrefix(rest, "//")
	switch {
	case path == "":
		return "", fmt.Errorf("store: sqlite URL without a path (want sqlite:PATH)")
	case strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:"):
		return "", fmt.Errorf("store: sqlite URL must name a plain file path, not %q", path)
	case strings.ContainsAny(path, "?#"):
		return "", fmt.Errorf("store: sqlite path %q must not contain '?' or '#'", path)
	}
	return path, nil
}

// sqliteDSN builds the glebarez DSN for path with the pragmas every
// connection needs: foreign keys, WAL, a busy timeout, NORMAL sync, and
// BEGIN IMMEDIATE so that writers serialise instead of failing with BUSY.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// checkSQLiteVersion refuses engines older than MinSQLiteVersion.
func (s *Store) checkSQLiteVersion(ctx context.Context) error {
	v, err := s.SQLiteVersion(ctx)
	if err != nil {
		return err
	}
	if compareVersions(v, MinSQLiteVersion) < 0 {
		return fmt.Errorf("store: SQLite %s is too old, need >= %s (River needs jsonb)", v, MinSQLiteVersion)
	}
	return nil
}

// SQLiteVersion returns the engine's sqlite_version(); it fails on PostgreSQL.
func (s *Store) SQLiteVersion(ctx context.Context) (string, error) {
	var v string
	if err := s.sqlDB.QueryRowContext(ctx, "select sqlite_version()").Scan(&v); err != nil {
		return "", fmt.Errorf("store: reading sqlite_version(): %w", err)
	}
	return v, nil
}

// compareVersions compares dotted numeric versions: -1, 0 or 1.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

// redactErr keeps a URL's password out of an error message.
func redactErr(err error, rawURL string) error {
	u, perr := url.Parse(rawURL)
	if perr != nil || u.User == nil {
		return err
	}
	if p, ok := u.User.Password(); ok && p != "" {
		return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}
