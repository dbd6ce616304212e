package store

import (
	"context"
	"fmt"
	"time"
)

// PurgeStorefrontEvents deletes the raw storefront events received before
// olderThan (the end of STOREFRONT_RETENTION) and returns how many went.
// Visits, which reports read, stay. A repeat of a purged event folds into
// its visit again without changing it (a visit's every fact is an
// earliest, a latest, a flag or a set keyed by event id). Events an inbox
// row still waits to fold (storefront_fold.go) stay until it is folded.
func (s *Store) PurgeStorefrontEvents(ctx context.Context, olderThan time.Time) (int64, error) {
	res := s.db(ctx).Exec(`DELETE FROM storefront_events WHERE shop_id IN (SELECT id FROM shops) AND received_at < ?
		AND NOT EXISTS (SELECT 1 FROM storefront_inbox i
			WHERE i.shop_id = storefront_events.shop_id AND i.received_at = storefront_events.received_at)`, utc(olderThan))
	if res.Error != nil {
		return 0, fmt.Errorf("store: purging storefront events: %w", res.Error)
	}
	return res.RowsAffected, nil
}
