package store

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"
)

// InTx is work a caller does inside one of the store's transactions, given
// the transaction and what the transaction wrote (v: the installed shop,
// the alerts created, the digest gathered, the kept delivery's id). It is
// how River jobs are enqueued with InsertTx beside their data, so that the
// job and its data commit or roll back together. Its error rolls the
// transaction back; a nil InTx does nothing.
type InTx[T any] func(ctx context.Context, tx *sql.Tx, v T) error

// run calls f with the *sql.Tx under tx, the gorm transaction f joins.
func (f InTx[T]) run(ctx context.Context, tx *gorm.DB, v T) error {
	if f == nil {
		return nil
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("no *sql.Tx in transaction (got %T)", tx.Statement.ConnPool)
	}
	if err := f(ctx, sqlTx, v); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}
