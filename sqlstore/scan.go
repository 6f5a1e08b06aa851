package sqlstore

import (
	"context"
	"fmt"
)

// Row scanning shared by the query methods: run one statement, turn each
// row into a value, wrap every error with what was being loaded. The
// statement is written with "?" placeholders and rebound for the dialect.

// queryEach runs q with args on tx and calls fn for every row.
func queryEach(ctx context.Context, db *DB, tx querier, what, q string, args []any, fn func(rowScanner) error) error {
	rows, err := tx.QueryContext(ctx, db.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// queryAll runs q with args on tx and returns the value scan makes of each
// row, in row order; an empty, non-nil slice when there are none.
func queryAll[T any](ctx context.Context, db *DB, tx querier, what, q string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	out := []T{}
	err := queryEach(ctx, db, tx, what, q, args, func(rows rowScanner) error {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queryRefs runs q, which selects (owner ID, kind, referenced ID) rows, and
// calls fn for each: the ID lists of a page of objects in one statement.
func queryRefs(ctx context.Context, db *DB, tx querier, what, q string, args []any, fn func(owner int64, kind string, ref int64)) error {
	return queryEach(ctx, db, tx, what, q, args, func(rows rowScanner) error {
		var owner, ref int64
		var kind string
		if err := rows.Scan(&owner, &kind, &ref); err != nil {
			return err
		}
		fn(owner, kind, ref)
		return nil
	})
}

// byIDOf indexes objects by the ID key returns.
func byIDOf[T any](vs []T, key func(T) int64) map[int64]T {
	m := make(map[int64]T, len(vs))
	for _, v := range vs {
		m[key(v)] = v
	}
	return m
}

// idsOf returns the IDs key returns for the objects, in order.
func idsOf[T any](vs []T, key func(T) int64) []int64 {
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = key(v)
	}
	return ids
}
