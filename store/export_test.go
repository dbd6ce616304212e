package store

import (
	"context"
	"fmt"
)

// MigrateTo moves Funnelscope's schema up or down to version, for tests
// that check a migration against data written before it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.gooseProvider()
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version < cur {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("store: migrating to %d: %w", version, err)
	}
	return nil
}

// SessionColumns is the column list of the sessions table every write
// sets (all but id, shop_id and created_at).
func SessionColumns() []string { return sessionColumns() }
