package store_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestMigrateUpDownUp(t *testing.T) {
	t.Parallel()
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
		storetest.Install(t, s, "again.myshopify.com")
		var n int
		if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM river_job").Scan(&n); err != nil {
			t.Fatalf("river_job after re-migrate: %v", err)
		}
	})
}

// TestSchemasMatch checks that the migrations of both dialects build the
// same tables with the same columns: the same names, the same types as
// each dialect spells them (schemaTypes), and the same nullability. Only
// Funnelscope's own tables count: goose's version table and River's are
// theirs. It then adds a column to one dialect only, and drops a NOT NULL
// in the other, and checks that the comparison sees both.
func TestSchemasMatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := storetest.Open(t, store.DialectPostgres)
	lite := storetest.Open(t, store.DialectSQLite)
	pgCols, liteCols := schemaOf(t, pg), schemaOf(t, lite)
	if len(pgCols) == 0 || pgCols["sessions.session_key"] == (schemaColumn{}) {
		t.Fatalf("PostgreSQL schema read as %v", pgCols)
	}
	for _, d := range schemaDiff(pgCols, liteCols) {
		t.Error(d)
	}

	if _, err := lite.DB().ExecContext(ctx, "ALTER TABLE sessions ADD COLUMN one_dialect_only TEXT"); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.DB().ExecContext(ctx, "ALTER TABLE shops ALTER COLUMN scope DROP NOT NULL"); err != nil {
		t.Fatal(err)
	}
	diff := strings.Join(schemaDiff(schemaOf(t, pg), schemaOf(t, lite)), "\n")
	for _, want := range []string{"sessions.one_dialect_only", "shops.scope"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the comparison misses %s; it says:\n%s", want, diff)
		}
	}
}

// TestSessionColumnsAreTheTable checks that the store's one list of
// session columns is the sessions table of each dialect's migrations: a
// column added to the migrations but not to the list would never be
// written, one added to the list only would fail every write.
func TestSessionColumnsAreTheTable(t *testing.T) {
	t.Parallel()
	want := append([]string{"id", "shop_id", "created_at"}, store.SessionColumns()...)
	slices.Sort(want)
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		var got []string
		for col := range schemaOf(t, s) {
			if table, name, _ := strings.Cut(col, "."); table == "sessions" {
				got = append(got, name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("sessions has columns %v; the store writes %v", got, want)
		}
	})
}

// schemaColumn is a column as both dialects can describe it.
type schemaColumn struct {
	Type     string // integer, text, time, bool or bytes (schemaTypes)
	Nullable bool
}

// schemaTypes maps each dialect's spelling of a column type to the kind
// both share: SQLite has one integer type, and keeps JSON as TEXT.
var schemaTypes = map[string]map[string]string{
	store.DialectPostgres: {
		"bigint": "integer", "integer": "integer", "text": "text", "jsonb": "text",
		"timestamp with time zone": "time", "boolean": "bool", "bytea": "bytes",
	},
	store.DialectSQLite: {
		"INTEGER": "integer", "BIGINT": "integer", "TEXT": "text", "DATETIME": "time", "BOOLEAN": "bool", "BLOB": "bytes",
	},
}

// schemaOf reads the columns of Funnelscope's tables, by "table.column",
// from information_schema on PostgreSQL and pragma_table_info on SQLite. A
// type schemaTypes does not map fails the test: a new type needs its
// counterpart in the other dialect decided.
func schemaOf(t *testing.T, s *store.Store) map[string]schemaColumn {
	t.Helper()
	q := `SELECT table_name, column_name, data_type, is_nullable = 'YES' FROM information_schema.columns
		WHERE table_schema = current_schema()`
	if s.Dialect() == store.DialectSQLite {
		// INTEGER PRIMARY KEY is the rowid: never NULL, though notnull
		// says 0.
		q = `SELECT m.name, p.name, p.type, p."notnull" = 0 AND p.pk = 0
			FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'`
	}
	rows, err := s.DB().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]schemaColumn{}
	for rows.Next() {
		var table, column, typ string
		var nullable bool
		if err := rows.Scan(&table, &column, &typ, &nullable); err != nil {
			t.Fatal(err)
		}
		if table == "goose_db_version" || strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		kind, ok := schemaTypes[s.Dialect()][typ]
		if !ok {
			t.Errorf("%s: %s.%s has type %q, which schemaTypes does not map", s.Dialect(), table, column, typ)
		}
		out[table+"."+column] = schemaColumn{Type: kind, Nullable: nullable}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// schemaDiff describes how the columns of PostgreSQL and SQLite differ, in
// the order of their names.
func schemaDiff(pg, lite map[string]schemaColumn) []string {
	names := slices.Collect(maps.Keys(pg))
	for col := range lite {
		if _, ok := pg[col]; !ok {
			names = append(names, col)
		}
	}
	slices.Sort(names)
	var diff []string
	for _, col := range names {
		p, inPG := pg[col]
		l, inLite := lite[col]
		switch {
		case !inLite:
			diff = append(diff, fmt.Sprintf("%s: on PostgreSQL only (%+v)", col, p))
		case !inPG:
			diff = append(diff, fmt.Sprintf("%s: on SQLite only (%+v)", col, l))
		case p != l:
			diff = append(diff, fmt.Sprintf("%s: %+v on PostgreSQL, %+v on SQLite", col, p, l))
		}
	}
	return diff
}

func TestSQLiteVersion(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// TestOpenSetsPlannerDefaults checks that the store's PostgreSQL
// connections run without JIT and plan each statement for its values
// unless the URL sets otherwise.
func TestOpenSetsPlannerDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := storetest.PostgresURL(t)
	for _, c := range []struct{ param, set, want string }{
		{"jit", "", "off"}, {"jit", "on", "on"},
		{"plan_cache_mode", "", "force_custom_plan"}, {"plan_cache_mode", "auto", "auto"},
	} {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		if c.set != "" {
			q := u.Query()
			q.Set(c.param, c.set)
			u.RawQuery = q.Encode()
		}
		s, err := store.Open(ctx, u.String(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = s.DB().QueryRowContext(ctx, "SHOW "+c.param).Scan(&got)
		_ = s.Close()
		if err != nil || got != c.want {
			t.Errorf("with %s=%q in the URL, SHOW %s = %q, %v; want %q", c.param, c.set, c.param, got, err, c.want)
		}
	}
}

func TestOpenCreatesSQLiteDir(t *testing.T) {
	t.Parallel()
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

// TestMigrateQuarterRollups checks migration 00023 on a database whose
// rollups the old migration 00020 built by UTC day: afterwards they are by
// quarter-hour and equal the sums of the sessions' own quarters, reports in
// a half-hour zone are exact, and the ingest goes on from them; its Down
// gives back the rollups by day.
func TestMigrateQuarterRollups(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		zc := zoneCases(t)[2] // Kolkata, +05:30
		shop := storetest.Install(t, s, "migrated.myshopify.com")
		seedMidnights(t, s, shop.ID, zc)
		sessions := sessionsByKey(t, s, shop.ID)
		// The old rollups, by UTC day, furthest stage, recovered and currency.
		byDay := func() map[string][2]int64 {
			out := map[string][2]int64{}
			for _, sess := range sessions {
				recovered := 0
				if sess.CompletedAt != nil && sess.AbandonedAt != nil {
					recovered = 1
				}
				k := fmt.Sprintf("%d/%d/%d/%s", sess.StartedAt.Unix()/86400, sess.Furthest(), recovered, sess.Currency)
				v := out[k]
				out[k] = [2]int64{v[0] + 1, v[1] + sess.Value}
			}
			return out
		}

		// Back to before the rollups, then up to the last schema with them
		// by day: 00020 builds them from the sessions.
		if err := s.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateTo(ctx, 22); err != nil {
			t.Fatal(err)
		}
		if got, want := dayTotals(t, s, shop.ID), byDay(); !reflect.DeepEqual(got, want) {
			t.Fatalf("rollups by day before 00023 = %v, want %v", got, want)
		}

		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := rollupTotals(t, s, shop.ID), quarterSums(sessions); !reflect.DeepEqual(got, want) {
			t.Errorf("rollups by quarter after 00023 = %v, want %v", got, want)
		}
		r := funnel.NewDayRange(zc.first, zc.last, zc.loc)
		daily, err := s.DailyFurthest(ctx, shop.ID, r)
		if err != nil {
			t.Fatal(err)
		}
		wantDaily := make([][funnel.StageCompleted + 1]int64, r.Len())
		for _, sess := range sessions {
			if i, ok := r.Index(sess.StartedAt); ok {
				wantDaily[i][sess.Furthest()]++
			}
		}
		if !reflect.DeepEqual(daily, wantDaily) {
			t.Errorf("DailyFurthest after 00023 = %v, want %v", daily, wantDaily)
		}
		// The ingest goes on from the migrated rows: a new cart, and an
		// order that moves a migrated cart to completed.
		next := zc.last.AddDate(0, 0, 1).Add(12 * time.Hour)
		ingest(t, s, shop.ID, "after-migration", cartEvent("after-migration", next, next, 5))
		ingest(t, s, shop.ID, "kolkata-4-order", orderEvent("kolkata-4", "kolkata-4-co", next, 1040))
		sessions = sessionsByKey(t, s, shop.ID)
		if st := sessions["kolkata-4"].Furthest(); st != funnel.StageCompleted {
			t.Fatalf("the migrated cart reached %s after its order", st)
		}
		if got, want := rollupTotals(t, s, shop.ID), quarterSums(sessions); !reflect.DeepEqual(got, want) {
			t.Errorf("rollups after ingesting on the migrated ones = %v, want %v", got, want)
		}
		if err := s.RebuildRollups(ctx, shop.ID); err != nil {
			t.Fatal(err)
		}
		if got, want := rollupTotals(t, s, shop.ID), quarterSums(sessions); !reflect.DeepEqual(got, want) {
			t.Errorf("rebuilt rollups = %v, want %v", got, want)
		}

		if err := s.MigrateTo(ctx, 22); err != nil {
			t.Fatal(err)
		}
		if got, want := dayTotals(t, s, shop.ID), byDay(); !reflect.DeepEqual(got, want) {
			t.Errorf("rollups by day after 00023's Down = %v, want %v", got, want)
		}
	})
}

// dayTotals sums the shop's session_rollups of before migration 00023 over
// shards, by UTC day, furthest stage, recovered and currency.
func dayTotals(t *testing.T, s *store.Store, shopID int64) map[string][2]int64 {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), `SELECT day, furthest_stage, recovered, currency,
			sum(sessions), sum(value) FROM session_rollups WHERE shop_id = $1
		GROUP BY day, furthest_stage, recovered, currency`, shopID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][2]int64{}
	for rows.Next() {
		var day, stage, recovered int64
		var currency string
		var v [2]int64
		if err := rows.Scan(&day, &stage, &recovered, &currency, &v[0], &v[1]); err != nil {
			t.Fatal(err)
		}
		if v != [2]int64{} {
			out[fmt.Sprintf("%d/%d/%d/%s", day, stage, recovered, currency)] = v
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
