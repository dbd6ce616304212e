package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
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

// TestMigrateQuarterRollups checks migration 00023 on a database whose
// rollups the old migration 00020 built by UTC day: afterwards they are by
// quarter-hour and equal the sums of the sessions' own quarters, reports in
// a half-hour zone are exact, and the ingest goes on from them; its Down
// gives back the rollups by day.
func TestMigrateQuarterRollups(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		zc := zoneCases(t)[2] // Kolkata, +05:30
		shop := install(t, s, "migrated.myshopify.com")
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
