package store_test

import (
	"testing"

	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestWriters checks the writer concurrency each dialect declares: one
// writer on SQLite, two on PostgreSQL, never more than the pool has
// connections.
func TestWriters(t *testing.T) {
	t.Parallel()
	want := map[string]int{store.DialectPostgres: 2, store.DialectSQLite: 1}
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		n := s.Writers()
		if n != want[s.Dialect()] {
			t.Errorf("Writers() = %d on %s, want %d", n, s.Dialect(), want[s.Dialect()])
		}
		if conns := s.DB().Stats().MaxOpenConnections; n > conns {
			t.Errorf("Writers() = %d, more than the pool's %d connections", n, conns)
		}
	})
	one := storetest.Open(t, store.DialectPostgres, func(o *store.Options) { o.MaxOpenConns = 1 })
	if n := one.Writers(); n != 1 {
		t.Errorf("Writers() = %d on a PostgreSQL pool of one connection, want 1", n)
	}
}
