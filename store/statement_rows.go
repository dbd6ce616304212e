package store

import "gorm.io/gorm"

// sqliteStatementArgs bounds the arguments of one multi-row statement on
// SQLite. Its driver (glebarez/go-sqlite) finds each argument by scanning
// the statement's arguments from the first, so binding n of them takes
// n²/2 steps: a batch of 150 sessions (6,000 arguments) took 18 million,
// more than SQLite's own work on the rows. Statements of at most 256
// arguments bind the same rows in about 4% of that; PostgreSQL's driver
// has no such cost.
const sqliteStatementArgs = 256

// sqliteRowsPerStatement is how many rows of width arguments one
// multi-row SQLite statement carries (at least one).
func sqliteRowsPerStatement(width int) int {
	return max(1, sqliteStatementArgs/width)
}

// rowsPerStatement is how many rows of width arguments one multi-row
// statement carries on tx's database: limit, or fewer on SQLite
// (sqliteRowsPerStatement).
func rowsPerStatement(tx *gorm.DB, width, limit int) int {
	if tx.Name() == DialectSQLite { // the dialector's name
		return min(limit, sqliteRowsPerStatement(width))
	}
	return limit
}

// statement is one SQL statement and its arguments.
type statement struct {
	sql  string
	args []any
}

// execAll runs the statements in order and stops at the first error.
func execAll(tx *gorm.DB, statements []statement) error {
	for _, st := range statements {
		if err := tx.Exec(st.sql, st.args...).Error; err != nil {
			return err
		}
	}
	return nil
}
