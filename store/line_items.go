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
	return jsonValue(len(l) == 0, func() ([]byte, error) { return json.Marshal([]funnel.LineItem(l)) })
}

// Scan decodes JSON text or bytes.
func (l *lineItems) Scan(src any) error {
	b, err := jsonBytes(src, "line items")
	if err != nil || b == nil {
		*l = nil
		return err
	}
	var items []funnel.LineItem
	if err := json.Unmarshal(b, &items); err != nil {
		return fmt.Errorf("store: line items: %w", err)
	}
	*l = items
	return nil
}
