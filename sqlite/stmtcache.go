package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
)

// maxCachedStmts bounds the prepared statements kept per connection.
const maxCachedStmts = 256

// maxCachedParams: statements with more arguments are not cached. They are
// the batch statements whose text grows with the batch (multi-row INSERTs
// of loads and index rebuilds, up to 32 766 parameters): each batch size is
// a text of its own, so they would seldom hit, and a compiled program grows
// with its rows, so a cache full of them could take a lot of memory. Their
// rows, not their parse, are most of their cost anyway.
const maxCachedParams = 100

// cachingConnector opens connections that keep their prepared statements,
// the least recently used evicted when the cache is full (the statements of
// logged-in viewers carry the viewer's IDs and change by the minute, so they
// must not crowd out the public's). The store's queries are long (the
// visibility predicates) and SQLite would otherwise parse them on every
// call; their text is stable per filter shape (ID sets are one JSON
// parameter), so a small per-connection cache keyed by the SQL text hits
// almost always. The write connection caches its statements too: parsing
// was a third of the CPU of a live ballot batch.
//
// Caching changes nothing else: a cached statement is reset after every use
// (modernc resets it after Exec and when its rows close), so between uses it
// holds no lock and no snapshot, and SQLite compiles it again by itself when
// the schema changed (sqlite3_prepare_v2), also by a migration of another
// connection or process.
type cachingConnector struct{ driver.Connector }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn wraps a driver connection. database/sql uses a connection from
// one goroutine at a time, so the cache needs no lock.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
	clock uint64 // counts uses, for lastUse
}

type cachedStmt struct {
	stmt    driver.Stmt
	busy    bool   // rows of it are open
	lastUse uint64 // clock at the last use
}

// evict closes and forgets the least recently used statement that is not
// busy; it reports whether there was one.
func (c *cachingConn) evict() bool {
	var oldest string
	var found *cachedStmt
	for q, cs := range c.stmts {
		if !cs.busy && (found == nil || cs.lastUse < found.lastUse) {
			oldest, found = q, cs
		}
	}
	if found == nil {
		return false
	}
	found.stmt.Close()
	delete(c.stmts, oldest)
	return true
}

var (
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

// Unwrap returns the driver's connection.
func (c *cachingConn) Unwrap() driver.Conn { return c.Conn }

// stmt returns the cached statement of query, preparing and caching it
// first; ok is false when query with nargs arguments is to run uncached:
// too many arguments, the cache full of statements in use, or this
// statement in use (rows of it are open).
func (c *cachingConn) stmt(ctx context.Context, query string, nargs int) (cs *cachedStmt, ok bool, err error) {
	cs, ok = c.stmts[query]
	if !ok {
		if nargs > maxCachedParams || len(c.stmts) >= maxCachedStmts && !c.evict() {
			return nil, false, nil
		}
		st, err := c.PrepareContext(ctx, query)
		if err != nil {
			return nil, false, err
		}
		cs = &cachedStmt{stmt: st}
		c.stmts[query] = cs
	}
	if cs.busy {
		return nil, false, nil
	}
	c.clock++
	cs.lastUse = c.clock
	return cs, true, nil
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, ok, err := c.stmt(ctx, query, len(args))
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	q, ok := cs.stmt.(driver.StmtQueryContext)
	if !ok {
		return nil, errors.New("sqlite: statement without QueryContext")
	}
	rows, err := q.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, s: cs}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, ok, err := c.stmt(ctx, query, len(args))
	if err != nil {
		return nil, err
	}
	if !ok {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	e, ok := cs.stmt.(driver.StmtExecContext)
	if !ok {
		return nil, errors.New("sqlite: statement without ExecContext")
	}
	return e.ExecContext(ctx, args)
}

func (c *cachingConn) Close() error {
	for _, cs := range c.stmts {
		cs.stmt.Close()
	}
	c.stmts = nil
	return c.Conn.Close()
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// cachedRows marks its statement free again when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	return err
}
