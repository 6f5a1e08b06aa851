package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/jobs"
	"github.com/ratsnetz/ratsnetz/mail"
	"github.com/ratsnetz/ratsnetz/mappe"
	"github.com/ratsnetz/ratsnetz/web"
)

// mailSender returns the transport: SMTP when Config.SMTPURL
// (RATSNETZ_SMTP_URL) is set, else the .eml outbox in the data directory
// (the embedded default). Config.MailFrom (RATSNETZ_MAIL_FROM) is the sender.
func (m *Main) mailSender(baseURL string) (mail.Sender, string, error) {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	from := m.Config.MailFrom
	if from == "" {
		from = "ratsnetz@" + host
	}
	if raw := m.Config.SMTPURL; raw != "" {
		s, err := mail.ParseSMTPURL(raw)
		if err != nil {
			return nil, "", fmt.Errorf("Die SMTP-URL (RATSNETZ_SMTP_URL) ist ungültig: %w", err)
		}
		if s.From == "" {
			s.From = from
		}
		s.Now = m.Now
		m.Logger.Info("mail: SMTP", "server", s.String())
		return s, host, nil
	}
	return &mail.Outbox{Dir: filepath.Join(m.Config.DataDir, "outbox"), From: from, Now: m.Now}, host, nil
}

// openDistribution sets the distribution area's dependencies for the portal
// and starts the job runner that sends queued mail; the portal's account
// mails (password reset) go through that queue too, so an unreachable SMTP
// server delays them instead of losing them.
func (m *Main) openDistribution(ctx context.Context, baseURL string, wcfg *web.Config) error {
	sender, host, err := m.mailSender(baseURL)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		loc = time.UTC
	}
	builder := &mappe.Builder{Store: m.DB, Blobs: m.Blobs, Loc: loc, Now: m.Now}
	inviter := &mappe.Inviter{Builder: builder, Dist: m.DB, Accounts: m.DB, BaseURL: baseURL, Domain: host, Now: m.Now}

	worker := &mail.Worker{Sender: sender, Permanent: jobs.Permanent, OnSent: func(ctx context.Context, msg mail.Message) error {
		if hash, ok := strings.CutPrefix(msg.Ref, mappe.RefPrefix); ok {
			return m.DB.MarkRecipientSent(ratsnetz.SystemContext(ctx), hash, m.Now())
		}
		return nil
	}}
	runner := &jobs.Runner{Queue: m.DB, Handlers: map[string]jobs.Handler{mail.JobKind: worker.Handle}, Now: m.Now, Logger: m.Logger,
		Poll: 2 * time.Second}
	if err := runner.Start(ctx); err != nil {
		return err
	}
	m.closers = append(m.closers, runner.Close)
	inviter.Dist = wakingDist{DistributionService: m.DB, runner: runner}
	wcfg.Distribution = web.DistributionDeps{Dist: inviter.Dist, Inviter: inviter}
	wcfg.Mailer = wakingSender{QueueSender: mail.QueueSender{Queue: m.DB, Domain: host}, runner: runner}
	return nil
}

// wakingSender queues a mail as a job and wakes the mail runner.
type wakingSender struct {
	mail.QueueSender
	runner *jobs.Runner
}

func (s wakingSender) Send(ctx context.Context, msg mail.Message) error {
	if err := s.QueueSender.Send(ctx, msg); err != nil {
		return err
	}
	s.runner.Wake()
	return nil
}

// wakingDist wakes the mail runner after an invitation stored its mails.
type wakingDist struct {
	ratsnetz.DistributionService
	runner *jobs.Runner
}

func (d wakingDist) CreateInvitation(ctx context.Context, inv *ratsnetz.Invitation, js []ratsnetz.NewJob) error {
	if err := d.DistributionService.CreateInvitation(ctx, inv, js); err != nil {
		return err
	}
	d.runner.Wake()
	return nil
}
