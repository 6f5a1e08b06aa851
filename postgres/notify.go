package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen holds a connection of its own that LISTENs on channel and calls fn
// with the payload of each notification until ctx is done. Notifications
// are wake-up calls only (the live hub then reads the stored log), so a
// lost connection loses nothing: after every (re)connect Listen calls
// fn("") — "look at everything" — and it reconnects with backoff. It returns
// when ctx is done; the caller owns the goroutine that runs it.
func Listen(ctx context.Context, url, channel string, logger *slog.Logger, fn func(payload string)) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	backoff := 100 * time.Millisecond
	for {
		err := listenOnce(ctx, url, channel, fn)
		if ctx.Err() != nil {
			return nil
		}
		logger.Warn("postgres listen: connection lost, reconnecting", "channel", channel, "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, url, channel string, fn func(string)) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fn("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return fmt.Errorf("wait: %w", err)
		}
		fn(n.Payload)
	}
}
