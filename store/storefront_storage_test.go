package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestStorefrontStorageSettings checks the PostgreSQL storage of the
// storefront's write path that migration 00050 sets (BENCHMARKS.md, "User
// agents once, storage, an honest ceiling"), so that a later migration
// that rebuilds one of these tables does not lose it unnoticed: room on
// the visits' pages for their rewrites, and lz4 for the inbox's events
// where the server has it.
func TestStorefrontStorageSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.Open(t, store.DialectPostgres)
	db := s.DB()

	var opts string
	if err := db.QueryRowContext(ctx, `SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class
		WHERE oid = to_regclass('visits')`).Scan(&opts); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(opts, ","), "fillfactor=70") {
		t.Errorf("visits has options %q; want fillfactor=70", opts)
	}

	var lz4, compression string
	if err := db.QueryRowContext(ctx, `SELECT CASE WHEN 'lz4' = ANY (enumvals) THEN 'l' ELSE '' END FROM pg_settings
		WHERE name = 'default_toast_compression'`).Scan(&lz4); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT attcompression::text FROM pg_attribute
		WHERE attrelid = to_regclass('storefront_inbox') AND attname = 'events'`).Scan(&compression); err != nil {
		t.Fatal(err)
	}
	if compression != lz4 {
		t.Errorf("storefront_inbox.events is compressed with %q; want %q (lz4 where the server has it, else the default)", compression, lz4)
	}
}
