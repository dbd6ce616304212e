package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrationsFS holds the goose migrations, one folder per dialect.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationsFS embed.FS

// storefrontRollupsVersion is the migration that creates the storefront
// rollups, which Migrate then fills from the visits kept.
const storefrontRollupsVersion = 42

// ordersAtWriteVersion is the migration that moves the orders' correction
// of the storefront rollups to write time; Migrate then moves the counts
// of the visits kept that an order completed.
const ordersAtWriteVersion = 44

// Migrate brings the schema up to date: Funnelscope's goose migrations, then
// River's. On PostgreSQL concurrent callers (several instances starting at
// once) are serialised by a session advisory lock scoped to the current
// schema.
func (s *Store) Migrate(ctx context.Context) error {
	return s.withMigrationLock(ctx, func() error {
		p, err := s.gooseProvider()
		if err != nil {
			return err
		}
		applied, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("store: applying migrations: %w", err)
		}
		for _, r := range applied {
			if r.Source == nil {
				continue
			}
			switch r.Source.Version {
			case storefrontRollupsVersion:
				if err := s.rebuildAllStorefrontRollups(ctx); err != nil {
					return err
				}
			case ordersAtWriteVersion:
				if err := s.completeAllVisitsByOrders(ctx); err != nil {
					return err
				}
			case paymentFactsVersion:
				if err := s.fillAllVisitPaymentFacts(ctx); err != nil {
					return err
				}
			case paymentSectionVersion:
				if err := s.fillPaymentSection(ctx); err != nil {
					return err
				}
			}
		}
		m, err := s.riverMigrator()
		if err != nil {
			return err
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("store: applying River migrations: %w", err)
		}
		return nil
	})
}

// MigrateDown reverses every migration, River's and then Funnelscope's,
// leaving an empty schema. It destroys all data; it exists for tests.
func (s *Store) MigrateDown(ctx context.Context) error {
	return s.withMigrationLock(ctx, func() error {
		m, err := s.riverMigrator()
		if err != nil {
			return err
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1}); err != nil {
			return fmt.Errorf("store: reverting River migrations: %w", err)
		}
		p, err := s.gooseProvider()
		if err != nil {
			return err
		}
		if _, err := p.DownTo(ctx, 0); err != nil {
			return fmt.Errorf("store: reverting migrations: %w", err)
		}
		return nil
	})
}

// SchemaVersion returns the latest applied goose migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.gooseProvider()
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: reading schema version: %w", err)
	}
	return v, nil
}

// RiverDriver returns the River driver over the store's *sql.DB
// (riverdatabasesql on PostgreSQL, riversqlite on SQLite), so that jobs can
// be inserted with InsertTx inside the store's transactions.
func (s *Store) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if s.isPG() {
		return riverdatabasesql.New(s.sqlDB)
	}
	return riversqlite.New(s.sqlDB)
}

// gooseProvider builds a goose provider over the dialect's embedded folder.
// The provider is never closed: Close would close the shared *sql.DB.
func (s *Store) gooseProvider() (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	if s.isPG() {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
	}
	sub, err := fs.Sub(migrationsFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: opening embedded migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, s.sqlDB, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("store: creating migration provider: %w", err)
	}
	return p, nil
}

// riverMigrator builds River's migrator for the dialect.
func (s *Store) riverMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	m, err := rivermigrate.New(s.RiverDriver(), &rivermigrate.Config{Logger: s.log})
	if err != nil {
		return nil, fmt.Errorf("store: creating River migrator: %w", err)
	}
	return m, nil
}

// withMigrationLock runs fn holding, on PostgreSQL, a session advisory lock
// keyed by the current schema on a dedicated connection. SQLite needs none:
// its writers are serialised by BEGIN IMMEDIATE. With a single-connection
// pool the lock is skipped, since fn could not get a connection otherwise.
func (s *Store) withMigrationLock(ctx context.Context, fn func() error) error {
	if !s.isPG() || s.sqlDB.Stats().MaxOpenConnections == 1 {
		return fn()
	}
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: reserving migration connection: %w", err)
	}
	defer func() { _ = conn.Close() }() // back to the pool; it fails only when already closed
	const key = "hashtext('funnelscope.migrate'), hashtext(current_schema())"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
		return fmt.Errorf("store: taking migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must be released even when ctx is done.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")")
	}()
	return fn()
}
