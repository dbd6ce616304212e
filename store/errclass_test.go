package store_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestPermanentTellsRefusedDataFromOutages runs statements that each
// database refuses for their data, and failures a retry can fix, and checks
// how store.Permanent classes the real errors they return.
func TestPermanentTellsRefusedDataFromOutages(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := t.Context()
		db := s.DB()
		storetest.Install(t, s, "taken.myshopify.com")
		run := func(q string, args ...any) error {
			if s.Dialect() == store.DialectPostgres {
				for i := 1; strings.Contains(q, "?"); i++ {
					q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
				}
			}
			_, err := db.ExecContext(ctx, q, args...)
			if err == nil {
				t.Fatalf("%s: no error", q)
			}
			return fmt.Errorf("wrapped as the store wraps: %w", err)
		}
		random := make([]byte, 100<<10)
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range random {
			random[i] = byte(rng.Uint32())
		}
		huge := hex.EncodeToString(random)

		now := time.Now().UTC()
		refused := map[string]error{
			"a duplicate key": run(`INSERT INTO shops (domain, scope, installed_at, needs_reauth, currency, timezone, created_at, updated_at)
				VALUES ('taken.myshopify.com', '', ?, FALSE, '', '', ?, ?)`, now, now, now),
			"a NOT NULL column left NULL": run(`INSERT INTO shops (domain, scope, installed_at, needs_reauth, currency, timezone, created_at, updated_at)
				VALUES (NULL, '', ?, FALSE, '', '', ?, ?)`, now, now, now),
			"a missing foreign row":                 run(`INSERT INTO settings (shop_id, created_at, updated_at) VALUES (999999, ?, ?)`, now, now),
			"gorm's translation of a duplicate key": fmt.Errorf("store: x: %w", gorm.ErrDuplicatedKey),
		}
		var transient map[string]error
		if s.Dialect() == store.DialectPostgres {
			refused["division by zero"] = run("SELECT 1/0")
			refused["invalid UTF-8"] = run("SELECT $1::text", "ann\xff")
			refused["a NUL in text"] = run("SELECT $1::text", "ann\x00")
			refused["an integer out of range"] = run("SELECT 2147483648::integer")
			refused["an index row too large"] = run(`INSERT INTO deliveries (webhook_id, received_at) VALUES ($1, now())`, huge)
			raise := func(code string) error {
				return run("DO $$ BEGIN RAISE EXCEPTION 'test' USING ERRCODE = '" + code + "'; END $$")
			}
			transient = map[string]error{
				"too many connections":     raise("53300"),
				"a serialization error":    raise("40001"),
				"a deadlock":               raise("40P01"),
				"the server shutting down": raise("57P01"),
				"a connection failure":     raise("08006"),
				"a statement timeout": func() error {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						t.Fatal(err)
					}
					defer func() { _ = tx.Rollback() }()
					if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 1"); err != nil {
						t.Fatal(err)
					}
					_, err = tx.ExecContext(ctx, "SELECT pg_sleep(1)")
					return err
				}(),
				"an undefined table (our bug, not the data's)": run("SELECT * FROM no_such_table"),
			}
		} else {
			refused["a datatype mismatch"] = run(`INSERT INTO deliveries (id, received_at) VALUES ('not a number', ?)`, now)
			refused["a string too big"] = run("SELECT zeroblob(2000000000)")
			transient = map[string]error{
				"a locked database":                            lockedSQLite(t, s),
				"an undefined table (our bug, not the data's)": run("SELECT * FROM no_such_table"),
			}
		}
		deadline, cancel := context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
		<-deadline.Done()
		_, err := db.ExecContext(deadline, "SELECT 1")
		transient["a context deadline"] = err
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.Close()
		_, transient["a closed connection"] = conn.ExecContext(ctx, "SELECT 1")
		transient["a cancellation"] = fmt.Errorf("store: x: %w", context.Canceled)

		for what, err := range refused {
			if !store.Permanent(err) {
				t.Errorf("%s (%v): not permanent", what, err)
			}
		}
		for what, err := range transient {
			if err == nil {
				t.Errorf("%s: no error", what)
			} else if store.Permanent(err) {
				t.Errorf("%s (%v): permanent", what, err)
			}
		}
		if store.Permanent(nil) {
			t.Error("no error is permanent")
		}
	})
}

// lockedSQLite returns the error of a write while another connection holds
// the database's write lock, with the store's wait for it turned off.
func lockedSQLite(t *testing.T, s *store.Store) error {
	t.Helper()
	ctx := t.Context()
	var seq int
	var name, path string
	if err := s.DB().QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(ctx, "ROLLBACK") }()
	// The store holds one connection: the pragma is its.
	if _, err := s.DB().ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = s.DB().ExecContext(ctx, "PRAGMA busy_timeout = 5000") }()
	_, err = s.DB().ExecContext(ctx, "DELETE FROM deliveries")
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a write under another's lock: %v, want SQLITE_BUSY", err)
	}
	return err
}

// TestKeepDeliveryStoresCleanReasons: a reason quoting a payload's NUL or
// invalid UTF-8, or too long, is stored cleaned and bounded, on both
// databases, instead of failing the delivery.
func TestKeepDeliveryStoresCleanReasons(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := t.Context()
		reasons := map[string]string{
			"nul":  "email \x00ann\x00@example.com is odd",
			"utf8": "title \xff\xfeMug\xc3 is odd",
			"long": "é" + strings.Repeat("x", 5000),
		}
		for id, reason := range reasons {
			if _, err := s.KeepDelivery(ctx, nil, delivery(id, "x.myshopify.com", "carts/create", "{}"), reason); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
		}
		kept, err := s.UnusableDeliveries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, k := range kept {
			got[k.Delivery.WebhookID] = k.Reason
		}
		want := map[string]string{"nul": "email ann@example.com is odd", "utf8": "title \uFFFDMug\uFFFD is odd"}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("%s: stored %q, want %q", id, got[id], w)
			}
		}
		if long := got["long"]; len(long) > 1000 || !strings.HasPrefix(long, "éxxx") || !strings.HasSuffix(long, "…") {
			t.Errorf("long reason stored as %d bytes: %.20q…", len(long), long)
		}
	})
}
