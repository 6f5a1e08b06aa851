// Package alerts turns changes into mails: citizens' e-mail alerts on new
// public papers and meetings, members' notifications (immediately or as a
// daily digest) on new and changed papers of their bodies, and the
// dispatcher that hands the queued mails to the mail system.
//
// Matching is idempotent: each run records per recipient which objects it
// told about, in the same transaction as the queued mail
// (FeedsService.RecordDelivery), so a run that is repeated, or two that
// race, never mail the same object twice. Mails never carry non-public
// content: alerts are matched as the public; member notifications name a
// non-public paper only by a link, never by its title.
package alerts

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Sender hands a mail to the mail system; it returns once the mail is
// accepted (written, queued or sent).
type Sender interface {
	Send(ctx context.Context, m *ratsnetz.OutgoingMail) error
}

// Service matches and dispatches. Set the fields, then call its methods or
// Start a Worker.
type Service struct {
	Store    ratsnetz.Store
	Feeds    ratsnetz.FeedsService
	Accounts ratsnetz.AccountService
	Sender   Sender
	// BaseURL is the portal's public URL, for links.
	BaseURL string
	Logger  *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location is Europe/Berlin (digest day, dates in mails).
	Location *time.Location
	// DigestHour is the local hour from which the daily digest is sent.
	DigestHour int
	// Saved and Search, if both set, mail the new hits of saved searches
	// (search.go).
	Saved  ratsnetz.SavedSearchService
	Search ratsnetz.SearchService
}

// Limits per run.
const (
	maxObjects    = 50
	dispatchBatch = 50
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// item is one line of a mail.
type item struct {
	obj   ratsnetz.AlertObject
	title string
	when  string
	url   string
}

// MatchAlerts queues one mail per active citizen subscription that has new
// public papers or meetings since its confirmation, and returns how many.
func (s *Service) MatchAlerts(ctx context.Context) (int, error) {
	pub := ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})
	if _, err := s.Feeds.PurgeExpiredAlerts(ctx, s.now()); err != nil {
		return 0, err
	}
	queued := 0
	var after int64
	for {
		subs, err := s.Feeds.FindAlerts(ctx, ratsnetz.AlertFilter{Active: true, ListOptions: ratsnetz.ListOptions{After: after, Limit: 200}})
		if err != nil {
			return queued, err
		}
		if len(subs) == 0 {
			return queued, nil
		}
		for _, sub := range subs {
			after = sub.ID
			ok, err := s.matchAlert(pub, sub)
			if err != nil {
				return queued, fmt.Errorf("alert %d: %w", sub.ID, err)
			}
			if ok {
				queued++
			}
		}
	}
}

func (s *Service) matchAlert(pub context.Context, sub *ratsnetz.AlertSubscription) (bool, error) {
	since := ratsnetz.ListOptions{CreatedSince: sub.ConfirmedAt, Limit: maxObjects}
	papers, _, err := s.Store.FindPapers(pub, ratsnetz.PaperFilter{OrganizationID: sub.OrganizationID, Text: sub.Keyword, Newest: true, ListOptions: since})
	if err != nil {
		return false, fmt.Errorf("find papers: %w", err)
	}
	meetings, _, err := s.Store.FindMeetings(pub, ratsnetz.MeetingFilter{OrganizationID: sub.OrganizationID, ListOptions: since})
	if err != nil {
		return false, fmt.Errorf("find meetings: %w", err)
	}
	var items []item
	kw := strings.ToLower(sub.Keyword)
	for _, p := range papers {
		if !p.Public { // the store already answered as the public; belt and braces
			continue
		}
		items = append(items, s.paperItem(p, true))
	}
	for _, m := range meetings {
		if !m.Public || kw != "" && !strings.Contains(strings.ToLower(m.Name), kw) {
			continue
		}
		items = append(items, item{obj: ratsnetz.AlertObject{Kind: ratsnetz.ReadKindMeeting, ID: m.ID}, title: "Sitzung: " + m.Name,
			when: s.dateTime(m.Start), url: s.BaseURL + "/sitzungen/" + strconv.FormatInt(m.ID, 10)})
	}
	items, err = s.undelivered(pub, ratsnetz.AlertRecipient(sub.ID), items)
	if err != nil || len(items) == 0 {
		return false, err
	}
	what := "Ihre E-Mail-Benachrichtigung"
	if sub.OrganizationID != 0 {
		if org, err := s.Store.FindOrganizationByID(pub, sub.OrganizationID); err == nil {
			what += " zum Gremium „" + org.Name + "“"
		}
	}
	if sub.Keyword != "" {
		what += " mit dem Stichwort „" + sub.Keyword + "“"
	}
	unsub := s.BaseURL + "/benachrichtigungen/abmelden/" + sub.UnsubscribeToken
	m := s.mail(sub.Email, subjectFor(items, "Neu im Ratsinformationssystem"), what+":", items,
		"Abmelden (ein Klick genügt): "+unsub, unsub)
	return s.Feeds.RecordDelivery(pub, ratsnetz.AlertRecipient(sub.ID), objects(items), m)
}

func (s *Service) paperItem(p *ratsnetz.Paper, public bool) item {
	title := "Vorlage"
	if p.Reference != "" && public {
		title += " " + p.Reference
	}
	if public {
		title += ": " + p.Name
	} else {
		// Never non-public content in a mail: only a link to log in.
		title = "Nichtöffentliche Vorlage (Titel nach Anmeldung sichtbar)"
	}
	return item{obj: ratsnetz.AlertObject{Kind: ratsnetz.ReadKindPaper, ID: p.ID}, title: title, when: s.date(p.Date),
		url: s.BaseURL + "/vorlagen/" + strconv.FormatInt(p.ID, 10)}
}

func (s *Service) undelivered(ctx context.Context, recipient string, items []item) ([]item, error) {
	if len(items) == 0 {
		return nil, nil
	}
	left, err := s.Feeds.FilterUndelivered(ctx, recipient, objects(items))
	if err != nil {
		return nil, err
	}
	keep := map[ratsnetz.AlertObject]bool{}
	for _, o := range left {
		keep[o] = true
	}
	var out []item
	for _, it := range items {
		if keep[it.obj] {
			out = append(out, it)
			delete(keep, it.obj)
		}
	}
	return out, nil
}

func objects(items []item) []ratsnetz.AlertObject {
	out := make([]ratsnetz.AlertObject, len(items))
	for i, it := range items {
		out[i] = it.obj
	}
	return out
}

func subjectFor(items []item, prefix string) string {
	if len(items) == 1 {
		return prefix + ": " + oneLine(items[0].title, 120)
	}
	return fmt.Sprintf("%s: %d neue Einträge", prefix, len(items))
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

func (s *Service) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02.01.2006")
}

func (s *Service) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.loc()).Format("02.01.2006, 15:04") + " Uhr"
}

// mail renders a plain-text and HTML mail listing items.
func (s *Service) mail(to, subject, intro string, items []item, footer, unsubscribe string) *ratsnetz.OutgoingMail {
	var t, h strings.Builder
	t.WriteString("Guten Tag,\n\n" + intro + "\n\n")
	h.WriteString("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>" + html.EscapeString(subject) + "</title></head><body>")
	h.WriteString("<p>Guten Tag,</p><p>" + html.EscapeString(intro) + "</p><ul>")
	for _, it := range items {
		line := it.title
		if it.when != "" {
			line += " (" + it.when + ")"
		}
		t.WriteString("- " + line + "\n  " + it.url + "\n")
		h.WriteString(`<li><a href="` + html.EscapeString(it.url) + `">` + html.EscapeString(it.title) + "</a>")
		if it.when != "" {
			h.WriteString(" (" + html.EscapeString(it.when) + ")")
		}
		h.WriteString("</li>")
	}
	t.WriteString("\n" + footer + "\n")
	h.WriteString("</ul><p>" + html.EscapeString(footer) + "</p></body></html>")
	return &ratsnetz.OutgoingMail{To: to, Subject: subject, Text: t.String(), HTML: h.String(), ListUnsubscribe: unsubscribe}
}

// MatchMembers queues the members' notifications: for accounts with
// immediate notification every new or changed paper of their bodies once
// per version, for those with the daily digest one mail a day from
// DigestHour on. Each account sees only what the store shows it, and the
// mail names non-public papers by link only.
func (s *Service) MatchMembers(ctx context.Context) (int, error) {
	if s.Accounts == nil {
		return 0, nil
	}
	now := s.now()
	local := now.In(s.loc())
	queued := 0
	for _, mode := range []ratsnetz.NotifyMode{ratsnetz.NotifyImmediate, ratsnetz.NotifyDaily} {
		if mode == ratsnetz.NotifyDaily && local.Hour() < s.DigestHour {
			continue
		}
		settings, err := s.Feeds.FindMemberSettingsByMode(ctx, mode)
		if err != nil {
			return queued, err
		}
		for _, set := range settings {
			ok, err := s.notifyMember(ctx, set, mode, now)
			if err != nil {
				s.logger().ErrorContext(ctx, "member notification", "account", set.AccountID, "err", err)
				continue
			}
			if ok {
				queued++
			}
		}
	}
	return queued, nil
}

func (s *Service) notifyMember(ctx context.Context, set *ratsnetz.MemberSettings, mode ratsnetz.NotifyMode, now time.Time) (bool, error) {
	a, err := s.Accounts.FindAccountByID(ctx, set.AccountID)
	if err != nil {
		return false, err
	}
	if !a.Active || a.PersonID == 0 || a.Email == "" {
		return false, nil
	}
	since := set.DigestSent
	if since.IsZero() {
		// First run for this account: start now, do not mail the past.
		return false, s.Feeds.SetDigestSent(ctx, a.ID, now)
	}
	local := now.In(s.loc())
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc())
	if mode == ratsnetz.NotifyDaily && !since.Before(today) {
		return false, nil // today's digest is done
	}
	vctx := ratsnetz.NewContextWithViewer(ctx, a.Viewer())
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	ms, _, err := s.Store.FindMemberships(vctx, ratsnetz.MembershipFilter{PersonID: a.PersonID, ActiveAt: day, ListOptions: ratsnetz.ListOptions{Limit: 200}})
	if err != nil {
		return false, err
	}
	var items []item
	seen := map[int64]bool{}
	for _, m := range ms {
		papers, _, err := s.Store.FindPapers(vctx, ratsnetz.PaperFilter{OrganizationID: m.OrganizationID, Newest: true,
			ListOptions: ratsnetz.ListOptions{ModifiedSince: since, Limit: maxObjects}})
		if err != nil {
			return false, err
		}
		for _, p := range papers {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			it := s.paperItem(p, p.Public)
			if mode == ratsnetz.NotifyImmediate {
				// One mail per version of a paper.
				it.obj.Kind = "paper@" + strconv.FormatInt(p.Modified.Unix(), 10)
			}
			items = append(items, it)
		}
	}
	recipient := ratsnetz.MemberRecipient(a.ID)
	var objs []ratsnetz.AlertObject
	if mode == ratsnetz.NotifyDaily {
		// One digest per day.
		objs = []ratsnetz.AlertObject{{Kind: "digest", ID: int64(local.Year()*10000 + int(local.Month())*100 + local.Day())}}
		if len(items) == 0 {
			return false, s.Feeds.SetDigestSent(ctx, a.ID, now)
		}
	} else {
		if items, err = s.undelivered(ctx, recipient, items); err != nil {
			return false, err
		}
		if len(items) == 0 {
			return false, s.Feeds.SetDigestSent(ctx, a.ID, now)
		}
		objs = objects(items)
	}
	subject := subjectFor(items, "Neue und geänderte Unterlagen")
	if mode == ratsnetz.NotifyDaily {
		subject = fmt.Sprintf("Tageszusammenfassung: %d neue oder geänderte Unterlagen", len(items))
	}
	m := s.mail(a.Email, subject, "in Ihren Gremien gibt es neue oder geänderte Unterlagen:", items,
		"Ihre Benachrichtigungen stellen Sie im Mitgliederbereich ein: "+s.BaseURL+"/mein", "")
	ok, err := s.Feeds.RecordDelivery(ctx, recipient, objs, m)
	if err != nil {
		return false, err
	}
	return ok, s.Feeds.SetDigestSent(ctx, a.ID, now)
}

// Dispatch hands queued mails to the Sender, oldest first, and removes each
// one it accepted. It stops at the first failure (the mail stays queued for
// the next run) and returns how many were sent.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	sent := 0
	for {
		mails, err := s.Feeds.PendingMails(ctx, dispatchBatch)
		if err != nil {
			return sent, err
		}
		if len(mails) == 0 {
			return sent, nil
		}
		for _, m := range mails {
			if err := s.Sender.Send(ctx, m); err != nil {
				return sent, fmt.Errorf("send mail %d: %w", m.ID, err)
			}
			if err := s.Feeds.MarkMailSent(ctx, m.ID); err != nil {
				return sent, err
			}
			sent++
		}
	}
}

// RunOnce matches alerts and member notifications and dispatches the mails.
func (s *Service) RunOnce(ctx context.Context) error {
	var errs []error
	if _, err := s.MatchAlerts(ctx); err != nil {
		errs = append(errs, fmt.Errorf("match alerts: %w", err))
	}
	if _, err := s.MatchMembers(ctx); err != nil {
		errs = append(errs, fmt.Errorf("match members: %w", err))
	}
	if _, err := s.MatchSavedSearches(ctx); err != nil {
		errs = append(errs, fmt.Errorf("match saved searches: %w", err))
	}
	if _, err := s.Dispatch(ctx); err != nil {
		errs = append(errs, fmt.Errorf("dispatch: %w", err))
	}
	return errors.Join(errs...)
}

// Worker runs the service every interval and when woken, until Close.
type Worker struct {
	svc      *Service
	interval time.Duration
	wake     chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
	once     sync.Once
}

// Start starts a worker; Close stops it and waits for it.
func Start(svc *Service, interval time.Duration) *Worker {
	ctx, cancel := context.WithCancel(ratsnetz.SystemContext(context.Background()))
	w := &Worker{svc: svc, interval: interval, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go w.run(ctx)
	return w
}

// Wake asks the worker for a round now (e.g. a confirmation mail was queued).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) run(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		if err := w.svc.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.svc.logger().ErrorContext(ctx, "alerts round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Close stops the worker and waits until its round has ended.
func (w *Worker) Close() error {
	w.once.Do(w.cancel)
	<-w.done
	return nil
}
