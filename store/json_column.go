package store

import (
	"database/sql/driver"
	"fmt"
)

// jsonValue is the driver value of a JSON column (JSONB on PostgreSQL, TEXT
// on SQLite): the text marshal returns, or NULL when empty is true.
func jsonValue(empty bool, marshal func() ([]byte, error)) (driver.Value, error) {
	if empty {
		return nil, nil
	}
	b, err := marshal()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// jsonBytes reads what a driver gives for a JSON column: nil for NULL,
// else its text as bytes; what names the column in the error.
func jsonBytes(src any, what string) ([]byte, error) {
	switch v := src.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(v), nil
	case []byte:
		return v, nil
	}
	return nil, fmt.Errorf("store: %s: unexpected type %T", what, src)
}
