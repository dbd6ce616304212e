package store

import (
	"context"
	"fmt"
)

// MigrateUpTo applies Funnelscope's migrations up to version only, so that
// a test can fill a schema as an older release left it before migrating
// the rest.
func (s *Store) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := s.gooseProvider()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("store: applying migrations up to %d: %w", version, err)
	}
	return nil
}
