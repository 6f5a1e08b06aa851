package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxJSONSize bounds one JSON response; real list pages stay far below it.
const maxJSONSize = 64 << 20

// httpError is a final non-success HTTP answer.
type httpError struct {
	URL    string
	Status int
	Body   string
	// retryAfter is the server's Retry-After, if it sent one.
	retryAfter time.Duration
}

func (e *httpError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Status)
}

func isNotFound(err error) bool {
	var he *httpError
	return errors.As(err, &he) && (he.Status == http.StatusNotFound || he.Status == http.StatusGone)
}

func httpStatus(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// fetcher does every HTTP request of a run: bounded concurrency, retries
// with exponential backoff on transport errors and 5xx answers.
type fetcher struct {
	client    *http.Client
	sem       chan struct{}
	retries   int
	backoff   time.Duration
	userAgent string
	rep       *reporter

	requests atomic.Int64
	// unencoded is set once the server was found to reject URL-encoded
	// query values; later filter URLs are then built unencoded.
	unencoded atomic.Bool
}

func (f *fetcher) acquire(ctx context.Context) error {
	select {
	case f.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fetcher) release() { <-f.sem }

// do runs GET u with retries and hands a successful response to use while
// holding a concurrency slot.
func (f *fetcher) do(ctx context.Context, u string, use func(*http.Response) error) error {
	var lastErr error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			wait := f.backoff << (attempt - 1)
			var he *httpError
			if errors.As(lastErr, &he) && he.retryAfter > wait {
				wait = he.retryAfter
			}
			if wait > time.Minute {
				wait = time.Minute
			}
			f.rep.retry(u, attempt, lastErr)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		retryable, err := f.once(ctx, u, use)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lastErr = err
		if !retryable || attempt >= f.retries {
			return err
		}
	}
}

func (f *fetcher) once(ctx context.Context, u string, use func(*http.Response) error) (retryable bool, err error) {
	if err := f.acquire(ctx); err != nil {
		return false, err
	}
	defer f.release()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, fmt.Errorf("build request %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	f.requests.Add(1)
	resp, err := f.client.Do(req)
	if err != nil {
		return true, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		he := &httpError{URL: u, Status: resp.StatusCode, Body: string(b)}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			he.retryAfter = time.Duration(secs) * time.Second
		}
		return true, he
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return false, &httpError{URL: u, Status: resp.StatusCode, Body: string(b)}
	}
	if err := use(resp); err != nil {
		// A body cut off mid-transfer is worth another try.
		return !errors.Is(err, errTooLarge), err
	}
	return false, nil
}

var errTooLarge = errors.New("response too large")

// getJSON fetches u and returns its raw body.
func (f *fetcher) getJSON(ctx context.Context, u string) ([]byte, error) {
	var body []byte
	err := f.do(ctx, u, func(resp *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONSize+1))
		if err != nil {
			return fmt.Errorf("read %s: %w", u, err)
		}
		if len(b) > maxJSONSize {
			return fmt.Errorf("read %s: %w", u, errTooLarge)
		}
		body = b
		return nil
	})
	return body, err
}

// withQuery adds key=value to u, URL-encoded or (for servers rejecting
// encoded values) verbatim.
func withQuery(u, key, value string, unencoded bool) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	if unencoded {
		return u + sep + key + "=" + value
	}
	return u + sep + key + "=" + url.QueryEscape(value)
}

// parseJSON decodes b into generic values (numbers kept as json.Number).
// Raw control characters inside strings — invalid JSON some servers emit —
// are escaped and the parse retried; sanitized reports that it happened.
func parseJSON(b []byte) (v any, sanitized bool, err error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	v, err = decode(b)
	if err == nil {
		return v, false, nil
	}
	clean, changed := sanitizeJSON(b)
	if !changed {
		return nil, false, err
	}
	v, err2 := decode(clean)
	if err2 != nil {
		return nil, true, err
	}
	return v, true, nil
}

func decode(b []byte) (any, error) { return decodeValue(b) }

// sanitizeJSON escapes control characters inside JSON strings and drops them
// outside strings (except JSON whitespace).
func sanitizeJSON(b []byte) ([]byte, bool) {
	out := make([]byte, 0, len(b)+16)
	inString, escaped, changed := false, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
			out = append(out, c)
		case inString && c == '\\':
			escaped = true
			out = append(out, c)
		case c == '"':
			inString = !inString
			out = append(out, c)
		case c < 0x20 && inString:
			out = append(out, fmt.Sprintf(`\u%04x`, c)...)
			changed = true
		case c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			changed = true
		default:
			out = append(out, c)
		}
	}
	return out, changed
}
