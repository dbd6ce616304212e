package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// MigrationsDigest returns a hex digest of everything Migrate applies on
// dialect: Funnelscope's embedded goose migrations and River's. Two schemas
// migrated by binaries with the same digest are the same, so a test helper
// may migrate one template per digest and copy it (store/storetest).
func MigrationsDigest(dialect string) (string, error) {
	var (
		dir    string
		driver riverdriver.Driver[*sql.Tx]
	)
	switch dialect {
	case DialectPostgres:
		dir, driver = "migrations/postgres", riverdatabasesql.New(nil)
	case DialectSQLite:
		dir, driver = "migrations/sqlite", riversqlite.New(nil)
	default:
		return "", fmt.Errorf("store: migrations digest: unknown dialect %q", dialect)
	}
	h := sha256.New()
	err := fs.WalkDir(migrationsFS, dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrationsFS, path)
		if err != nil {
			return err
		}
		// Length-prefixed, so that no two sets of files hash alike.
		for _, part := range [][]byte{[]byte(path), b} {
			h.Write([]byte(strconv.Itoa(len(part)) + ":"))
			h.Write(part)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: migrations digest: reading migrations: %w", err)
	}
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return "", fmt.Errorf("store: migrations digest: River migrator: %w", err)
	}
	for _, v := range m.AllVersions() {
		for _, part := range []string{"river:" + strconv.Itoa(v.Version), v.SQLUp} {
			h.Write([]byte(strconv.Itoa(len(part)) + ":"))
			h.Write([]byte(part))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
