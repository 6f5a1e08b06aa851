// Package sqlite is the SQLite backend of Ratsnetz: the pure-Go
// modernc.org/sqlite driver (no cgo) behind sqlstore.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"

	"github.com/ratsnetz/ratsnetz/sqlstore"
	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect returns the SQLite dialect of sqlstore.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sqlstore.Dialect{
		Name:       "sqlite",
		EncodeTime: sqlstore.EncodeTimeText,
		Migrations: sub,
		MaxParams:  32766,
	}
}

// dsn returns the DSN of the database file path with the settings every
// pooled connection needs.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// 4 MB of page cache per connection (SQLite's own, counted in the
	// process's memory): enough for the B-tree interior pages the lookups
	// walk; leaf pages come from the OS page cache, which is shared and
	// not part of our RSS. The pure-Go allocator behind SQLite puts each
	// cached 4 KiB page (plus its header) in an 8 KiB slot, so the real
	// cost is twice the setting: 8 MB per connection took ~80 MB over the
	// five connections and pushed the uncached page bench to 317–328 MB
	// peak RSS; 4 MB gives 266 MB (32 MB made it exceed 300 MB earlier).
	q.Add("_pragma", "cache_size(-4000)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the SQLite database at path: one write
// connection, since SQLite serializes writes anyway, and a pool of read
// connections. Open does not migrate; call Migrate.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "?") {
		return nil, errors.New("sqlite: need a database file path (no :memory:, no query)")
	}
	writeConnector, err := sqlite.NewConnector(dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write := sql.OpenDB(cachingConnector{writeConnector})
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// The write connection creates the file and switches it to WAL before
	// any reader opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	connector, err := sqlite.NewConnector(dsn(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read := sql.OpenDB(cachingConnector{connector})
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return sqlstore.New(read, write, Dialect()), nil
}
