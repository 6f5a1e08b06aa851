package sqlstore

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// TimeLayout is the fixed-width UTC text encoding of times in SQLite: it
// sorts and compares like the times it encodes.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// EncodeTimeText encodes t as fixed-width UTC text with microseconds.
func EncodeTimeText(t time.Time) any { return t.UTC().Format(TimeLayout) }

// EncodeTimeNative passes t on as a UTC time.Time (PostgreSQL timestamptz).
func EncodeTimeNative(t time.Time) any { return t.UTC() }

// tm encodes t for a query; the zero time is NULL. Times are truncated to
// microseconds, the precision both databases keep.
func (db *DB) tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.dialect.EncodeTime(t.Truncate(time.Microsecond))
}

// timeScanner reads a time column of either database: NULL is the zero time,
// text in TimeLayout (or RFC 3339) or a time.Time becomes UTC.
type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("scan time: unsupported type %T", src)
	}
	return nil
}

func (s timeScanner) parse(v string) error {
	if v == "" {
		*s.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("scan time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}

// boolScanner reads a boolean column of either database (SQLite keeps 0/1).
type boolScanner struct{ b *bool }

func (s boolScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.b = false
	case bool:
		*s.b = v
	case int64:
		*s.b = v != 0
	default:
		b, err := driver.Bool.ConvertValue(src)
		if err != nil {
			return fmt.Errorf("scan bool: %w", err)
		}
		*s.b = b.(bool)
	}
	return nil
}
