package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// lineItems is the JSON column of a session's line items (JSONB on
// PostgreSQL, TEXT on SQLite); empty is NULL.
type lineItems []funnel.LineItem

// Value encodes the items as JSON text.
func (l lineItems) Value() (driver.Value, error) {
	if len(l) == 0 {
		return nil, nil
	}
	b, err := json.Marshal([]funnel.LineItem(l))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan decodes JSON text or bytes.
func (l *lineItems) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: line items: unexpected type %T", src)
	}
	var items []funnel.LineItem
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("store: line items: %w", err)
	}
	*l = items
	return nil
}
