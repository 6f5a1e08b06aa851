package app

import (
	"context"
	"path/filepath"
	"time"

	"github.com/ratsnetz/ratsnetz/alerts"
	"github.com/ratsnetz/ratsnetz/web"
)

// alertsInterval is how often the alerts worker matches new papers and
// meetings and sends queued mails; queued confirmation mails wake it at once.
const alertsInterval = 2 * time.Minute

// openFeeds builds the feeds area's dependencies for the portal and starts
// the alerts worker (citizen alerts, member notifications, mail dispatch).
// Mails go as .eml files with List-Unsubscribe headers into
// <data>/outbox, where the mail worker of the distribution area (or an
// operator) picks them up.
func (m *Main) openFeeds(ctx context.Context, baseURL string) (web.FeedsDeps, error) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	svc := &alerts.Service{Store: m.DB, Feeds: m.DB, Accounts: m.DB, BaseURL: baseURL, Logger: m.Logger.With("area", "feeds"),
		Now: m.Now, Location: loc, DigestHour: 6,
		Sender: &alerts.Outbox{Dir: filepath.Join(m.Config.DataDir, "outbox"), Now: m.Now}}
	w := alerts.Start(svc, alertsInterval)
	m.closers = append(m.closers, w.Close)
	return web.FeedsDeps{Feeds: m.DB, Wake: w.Wake}, nil
}
