package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
)

// maxCachedStmts bounds the prepared statements kept per connection.
const maxCachedStmts = 256

// cachingConnector opens connections that keep their prepared query
// statements, the least recently used evicted when the cache is full (the
// statements of logged-in viewers carry the viewer's IDs and change by the
// minute, so they must not crowd out the public's). The store's queries are long (the visibility predicates) and
// SQLite would otherwise parse them on every call; their text is stable per
// filter shape (ID sets are one JSON parameter), so a small per-connection
// cache keyed by the SQL text hits almost always.
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

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, ok := c.stmts[query]
	if !ok && (len(c.stmts) < maxCachedStmts || c.evict()) {
		st, err := c.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		cs = &cachedStmt{stmt: st}
		c.stmts[query] = cs
	}
	if cs == nil || cs.busy {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	c.clock++
	cs.lastUse = c.clock
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

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
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
