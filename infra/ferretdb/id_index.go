package main

// FerretDB v1.24's SQLite backend pushes `{_id: <string or ObjectId>}` filters down as
// `WHERE _ferretdb_sjson->'$._id' = ?`, but indexes `_id` under the expression
// `_ferretdb_sjson->"_id"`. SQLite matches index expressions textually, so every
// lookup by `_id` reads the whole table. This keeper adds an index on the exact
// expression of the query to every collection table, which turns those lookups
// into index searches (milliseconds instead of a full scan as collections grow).
// FerretDB never sees the index: it keeps its own metadata, and dropping a
// collection drops the table with the index.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"
)

const (
	collectionsTable = "_ferretdb_collections"
	lookupSuffix     = "_id_lookup"
	keepInterval     = time.Second
)

// keepIDIndexes checks every database file of dataDir each second until ctx ends.
func keepIDIndexes(ctx context.Context, dataDir string, logger *slog.Logger) {
	open := map[string]*sql.DB{}
	defer func() {
		for _, db := range open {
			db.Close()
		}
	}()

	ticker := time.NewTicker(keepInterval)
	defer ticker.Stop()

	for {
		files, err := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
		if err != nil {
			logger.Error("id index keeper: listing databases", "error", err)
		}
		for _, file := range files {
			db, ok := open[file]
			if !ok {
				db, err = sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
				if err != nil {
					logger.Error("id index keeper: opening database", "file", file, "error", err)
					continue
				}
				db.SetMaxOpenConns(1)
				open[file] = db
			}
			if err := indexTables(ctx, db); err != nil && ctx.Err() == nil {
				logger.Warn("id index keeper", "file", file, "error", err)
			}
		}

		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// indexTables creates the lookup index of each collection table that lacks one.
func indexTables(ctx context.Context, db *sql.DB) error {
	missing, err := tablesWithoutLookup(ctx, db)
	if err != nil {
		return err
	}
	for _, table := range missing {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+lookupSuffix, table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("indexing %s: %w", table, err)
		}
	}
	return nil
}

func tablesWithoutLookup(ctx context.Context, db *sql.DB) ([]string, error) {
	var known int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, collectionsTable).Scan(&known)
	if err != nil || known == 0 {
		return nil, err // a database that FerretDB has not initialised yet
	}

	q := fmt.Sprintf(`SELECT c.table_name FROM %q c
		JOIN sqlite_master t ON t.type = 'table' AND t.name = c.table_name
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.name = c.table_name || ?)`, collectionsTable)
	rows, err := db.QueryContext(ctx, q, lookupSuffix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			return nil, err
		}
		tables = append(tables, table)
	}
	return tables, rows.Err()
}
