package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// permanentPGClasses are the SQLSTATE classes in which PostgreSQL refuses
// the data of a statement itself, so that running it again with the same
// data fails again: 22 data exception (a value out of range, invalid
// UTF-8, a NUL in text), 23 integrity constraint violation, 54 program
// limit exceeded (an index row too large, too many columns).
var permanentPGClasses = map[string]bool{"22": true, "23": true, "54": true}

// SQLite's primary result codes of the same kind: a string or blob too
// big, a datatype mismatch, a constraint (a trigger's RAISE(ABORT) among
// them). Extended codes carry the primary one in their low byte.
const (
	sqliteTooBig     = 18
	sqliteConstraint = 19
	sqliteMismatch   = 20
)

// sqliteError is the SQLite driver's error (glebarez/go-sqlite's *Error),
// seen through its method, so that the store needs no import of the
// driver's own package.
type sqliteError interface {
	error
	Code() int
}

// Permanent reports whether err says the database refused the data of a
// statement: an error that retrying the same statement with the same data
// cannot fix, so that a webhook delivery which caused it is to be kept as
// unusable rather than answered 5xx for Shopify to send again. Connection
// and availability errors (SQLSTATE classes 08, 53, 57, 40, a closed
// connection or database, SQLite's BUSY), deadlines and cancellations are
// not permanent, and neither is any error it does not know: those are
// answered 5xx and retried.
func Permanent(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return len(pgErr.Code) == 5 && permanentPGClasses[pgErr.Code[:2]]
	}
	// With TranslateError, gorm's SQLite dialect replaces unique and
	// foreign key violations with these, dropping the driver's error.
	if errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, gorm.ErrForeignKeyViolated) ||
		errors.Is(err, gorm.ErrCheckConstraintViolated) {
		return true
	}
	if coded, ok := errors.AsType[sqliteError](err); ok {
		switch coded.Code() & 0xff {
		case sqliteTooBig, sqliteConstraint, sqliteMismatch:
			return true
		}
	}
	return false
}
