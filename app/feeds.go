package app

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/alerts"
	"github.com/ratsnetz/ratsnetz/mail"
	"github.com/ratsnetz/ratsnetz/web"
)

// alertsInterval is how often the alerts worker matches new papers and
// meetings and hands queued mails on; queued confirmation mails wake it at
// once.
const alertsInterval = 2 * time.Minute

// openFeeds builds the feeds area's dependencies for the portal and starts
// the alerts worker (citizen alerts, member notifications). Its mails go
// into the durable job queue as kind "mail" (sent by the distribution
// area's mail worker through SMTP or the .eml outbox).
func (m *Main) openFeeds(ctx context.Context, baseURL string) (web.FeedsDeps, error) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	host := "ratsnetz.invalid"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	svc := &alerts.Service{Store: m.DB, Feeds: m.DB, Accounts: m.DB, BaseURL: baseURL, Logger: m.Logger.With("area", "feeds"),
		Now: m.Now, Location: loc, DigestHour: 6, Sender: jobSender{queue: m.DB, domain: host}, Saved: m.DB, Search: m.DB}
	w := alerts.Start(svc, alertsInterval)
	m.closers = append(m.closers, w.Close)
	return web.FeedsDeps{Feeds: m.DB, Wake: w.Wake}, nil
}

// jobSender hands a mail of the feeds outbox to the job queue. Its
// Message-ID (and so the job key) comes from the outbox ID: if the worker
// dies after enqueueing and before removing the mail from the outbox, the
// second enqueue is skipped while the first is pending, and a resent mail
// keeps its Message-ID (the .eml outbox overwrites its file).
type jobSender struct {
	queue  ratsnetz.JobQueue
	domain string
}

func (s jobSender) Send(ctx context.Context, m *ratsnetz.OutgoingMail) error {
	id := "feeds-" + strconv.FormatInt(m.ID, 10) + "-" + strconv.FormatInt(m.Created.Unix(), 10) + "@" + s.domain
	job, err := mail.NewJob(mail.Message{To: m.To, Subject: m.Subject, Body: m.Text, HTML: m.HTML, ID: id,
		ListUnsubscribe: m.ListUnsubscribe}, s.domain)
	if err != nil {
		return fmt.Errorf("feeds mail %d: %w", m.ID, err)
	}
	return s.queue.EnqueueJobs(ctx, job)
}
