package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgConn runs fn on a pgx connection of the pool under database/sql. A
// connection fn leaves inside a transaction (it failed midway) is rolled
// back and kept, where database/sql would drop it. When fn reports the
// connection dead before it sent anything that could commit
// (pgDeadConn: the database restarted, or the network dropped the
// connection while idle), the connection is discarded and fn runs again on
// another; each try drops one dead connection, and once the idle ones are
// gone a new one is dialled, so the tries are bounded by the pool's size.
func (s *Store) pgConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.pgConnOnce(ctx, fn)
		if !errors.Is(err, driver.ErrBadConn) || ctx.Err() != nil || attempt > s.sqlDB.Stats().MaxOpenConnections {
			return err
		}
	}
}

// pgConnOnce is one try of pgConn.
func (s *Store) pgConnOnce(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // back to the pool; it fails only when already closed
	return conn.Raw(func(driverConn any) error {
		c := driverConn.(*stdlib.Conn).Conn()
		err := fn(c)
		if err != nil && !c.IsClosed() && c.PgConn().TxStatus() != 'I' {
			// database/sql would drop a connection left in a transaction;
			// end it instead and keep the connection.
			_, _ = c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return err
	})
}

// pgDeadConn is err, marked driver.ErrBadConn when c is closed: for the
// failure of a connection's first round trip of a transaction, which
// nothing can have committed, so that pgConn tries another connection
// (and database/sql discards this one).
func pgDeadConn(c *pgx.Conn, err error) error {
	if err != nil && c.IsClosed() {
		return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
	}
	return err
}
