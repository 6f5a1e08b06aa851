package mappe

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/mail"
)

// Accounts finds the account whose address gets the notice of a member who
// chose the app.
type Accounts interface {
	FindAccountByID(ctx context.Context, id int64) (*ratsnetz.Account, error)
}

// Inviter invites a meeting: checks the Ladungsfrist, freezes the agenda
// as the invitation PDF, picks every member and deputy of the body with
// their channel, and stores all of it with the notice mails in one
// transaction (the mails go out through the job queue).
type Inviter struct {
	Builder  *Builder
	Dist     ratsnetz.DistributionService
	Accounts Accounts
	// BaseURL is the portal's public URL for links in mails.
	BaseURL string
	// Domain is the Message-ID domain of the notice mails.
	Domain string
	// DefaultDays is the Ladungsfrist where the body has none (default 7).
	DefaultDays int
	Now         func() time.Time
}

// Plan is what an invitation would do, for the office to check first.
type Plan struct {
	Meeting  *Meeting
	Kind     string
	Days     int
	Deadline time.Time // last moment for an invitation within the Ladungsfrist
	Met      bool
	// Changes (office wording) and PublicChanges (safe for mails: names
	// no non-public item) of a Nachtrag.
	Changes       []string
	PublicChanges []string
	Recipients    []*ratsnetz.InvitationRecipient
	// Agenda is the snapshot to freeze.
	Agenda []ratsnetz.InvitationItem
	// Previous are the invitations already sent.
	Previous []*ratsnetz.Invitation
}

func (iv *Inviter) now() time.Time {
	if iv.Now != nil {
		return iv.Now()
	}
	return time.Now()
}

// Plan computes the invitation of the meeting as the office in ctx sees it.
func (iv *Inviter) Plan(ctx context.Context, meetingID int64) (*Plan, error) {
	prev, err := iv.Dist.FindInvitations(ctx, meetingID) // checks the office role
	if err != nil {
		return nil, err
	}
	mt, err := iv.Builder.Load(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if mt.Meeting.Cancelled {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Sitzung ist abgesagt.")
	}
	if mt.Meeting.Start.IsZero() {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Sitzung hat noch keinen Termin.")
	}
	p := &Plan{Meeting: mt, Kind: ratsnetz.InvitationKindInvitation, Previous: prev}
	p.Days = iv.DefaultDays
	if p.Days <= 0 {
		p.Days = 7
	}
	if mt.Org != nil && mt.Org.InvitationDays > 0 {
		p.Days = mt.Org.InvitationDays
	}
	// The Ladungsfrist counts whole calendar days in Berlin before the
	// meeting day: invited on day D-Days at the latest.
	loc := iv.Builder.loc()
	s := mt.Meeting.Start.In(loc)
	day := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	p.Deadline = day.AddDate(0, 0, -p.Days+1).Add(-time.Nanosecond)
	p.Met = !iv.now().After(p.Deadline)
	if p.Agenda, err = iv.snapshot(ctx, mt); err != nil {
		return nil, err
	}
	if len(prev) > 0 {
		p.Kind = ratsnetz.InvitationKindSupplement
		p.Met = true // a Nachtrag has no Ladungsfrist of its own
		p.Changes, p.PublicChanges = diffAgenda(prev, p.Agenda)
	}
	if p.Recipients, err = iv.recipients(ctx, mt); err != nil {
		return nil, err
	}
	return p, nil
}

func (iv *Inviter) snapshot(ctx context.Context, mt *Meeting) ([]ratsnetz.InvitationItem, error) {
	var out []ratsnetz.InvitationItem
	for _, it := range mt.Items {
		si := ratsnetz.InvitationItem{AgendaItemID: it.ID, Number: it.Number, Name: it.Name, Public: it.Public, PaperID: it.PaperID,
			Files: map[int64]time.Time{}}
		filters := []ratsnetz.FileFilter{{AgendaItemID: it.ID}}
		if it.PaperID != 0 {
			filters = append(filters, ratsnetz.FileFilter{PaperID: it.PaperID})
		}
		for _, f := range filters {
			f.Limit = 1000
			fs, _, err := iv.Builder.Store.FindFiles(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, file := range fs {
				si.Files[file.ID] = file.Modified
			}
		}
		out = append(out, si)
	}
	return out, nil
}

// diffAgenda lists what changed since the invitations sent: new items,
// renamed items, new and changed documents. The public wording names no
// non-public item.
func diffAgenda(prev []*ratsnetz.Invitation, now []ratsnetz.InvitationItem) (office, public []string) {
	known := map[int64]ratsnetz.InvitationItem{}
	for _, inv := range prev {
		for _, it := range inv.Agenda {
			known[it.AgendaItemID] = it
		}
	}
	label := func(it ratsnetz.InvitationItem) string {
		if it.Public {
			return strings.TrimSpace(it.Number + " " + it.Name)
		}
		return strings.TrimSpace(it.Number + " (nichtöffentlich)")
	}
	add := func(it ratsnetz.InvitationItem, what string) {
		office = append(office, what+": "+strings.TrimSpace(it.Number+" "+it.Name))
		public = append(public, what+": "+label(it))
	}
	for _, it := range now {
		old, ok := known[it.AgendaItemID]
		if !ok {
			add(it, "Neuer Tagesordnungspunkt")
			continue
		}
		if old.Name != it.Name || old.Number != it.Number {
			add(it, "Geänderter Tagesordnungspunkt")
		}
		var added, changed int
		for id, mod := range it.Files {
			switch om, ok := old.Files[id]; {
			case !ok:
				added++
			case !om.Equal(mod):
				changed++
			}
		}
		if added > 0 {
			add(it, fmt.Sprintf("%d neue Unterlage(n) zu", added))
		}
		if changed > 0 {
			add(it, fmt.Sprintf("%d geänderte Unterlage(n) zu", changed))
		}
	}
	return office, public
}

// recipients are the members and deputies of the meeting's leading
// organization on the meeting day, each with their channel.
func (iv *Inviter) recipients(ctx context.Context, mt *Meeting) ([]*ratsnetz.InvitationRecipient, error) {
	if mt.Org == nil {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Sitzung gehört zu keinem Gremium.")
	}
	ms, _, err := iv.Builder.Store.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: mt.Org.ID,
		ActiveAt: mt.Meeting.Start, ListOptions: ratsnetz.ListOptions{Limit: 10000}})
	if err != nil {
		return nil, err
	}
	sys := ratsnetz.SystemContext(ctx)
	seen := map[int64]bool{}
	var out []*ratsnetz.InvitationRecipient
	for _, m := range ms {
		if seen[m.PersonID] || m.PersonID == 0 {
			continue
		}
		seen[m.PersonID] = true
		person, err := iv.Builder.Store.FindPersonByID(ctx, m.PersonID)
		if err != nil {
			continue
		}
		prefs, err := iv.Dist.FindDeliveryPrefs(ctx, m.PersonID)
		if err != nil {
			return nil, err
		}
		r := &ratsnetz.InvitationRecipient{PersonID: m.PersonID, Name: person.Name, Role: m.Role, Channel: prefs.Channel,
			Email: prefs.Email, PostalAddress: prefs.PostalAddress}
		if r.Role == "" {
			r.Role = ratsnetz.RoleMember
		}
		if r.Channel == ratsnetz.ChannelApp {
			r.Email = ""
			acct, err := iv.Dist.AccountOfPerson(sys, m.PersonID)
			if err != nil {
				return nil, err
			}
			if acct != 0 && iv.Accounts != nil {
				if a, err := iv.Accounts.FindAccountByID(sys, acct); err == nil {
					r.Email = a.Email
				}
			}
			if r.Email == "" {
				// Without an account the app cannot reach the person: paper.
				r.Channel = ratsnetz.ChannelPost
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *ratsnetz.InvitationRecipient) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Invite sends the invitation or Nachtrag. reason is required when the
// Ladungsfrist is not met.
func (iv *Inviter) Invite(ctx context.Context, meetingID int64, reason string) (*ratsnetz.Invitation, *Plan, error) {
	p, err := iv.Plan(ctx, meetingID)
	if err != nil {
		return nil, nil, err
	}
	reason = strings.TrimSpace(reason)
	if !p.Met && reason == "" {
		return nil, p, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Ladungsfrist von %d Tagen ist nicht eingehalten: Bitte begründen Sie die kurzfristige Einladung.", p.Days)
	}
	if p.Kind == ratsnetz.InvitationKindSupplement && len(p.Changes) == 0 {
		return nil, p, ratsnetz.Errorf(ratsnetz.ECONFLICT, "Seit der letzten Einladung hat sich an Tagesordnung und Unterlagen nichts geändert.")
	}
	if len(p.Recipients) == 0 {
		return nil, p, ratsnetz.Errorf(ratsnetz.EINVALID, "Das Gremium hat am Sitzungstag keine Mitglieder.")
	}
	letter, err := iv.Builder.InvitationLetter(ctx, p.Meeting, p.Kind, p.Changes, reason)
	if err != nil {
		return nil, p, err
	}
	inv := &ratsnetz.Invitation{MeetingID: meetingID, Kind: p.Kind, DeadlineMet: p.Met, Reason: reason, Changes: p.Changes,
		Agenda: p.Agenda, PDF: letter, Recipients: p.Recipients}
	// What the mail may say: only what the public may see of the meeting.
	publicMt, err := iv.Builder.Load(context.WithoutCancel(ratsnetz.NewContextWithViewer(ctx, ratsnetz.Viewer{})), meetingID)
	if err != nil {
		publicMt = nil
	}
	var jobs []ratsnetz.NewJob
	for _, r := range inv.Recipients {
		tok, hash := NewToken()
		r.Token, r.TokenHash = tok, hash
		if r.Channel == ratsnetz.ChannelPost {
			continue
		}
		m := iv.noticeMail(p, publicMt, r)
		job, err := mail.NewJob(m, iv.Domain)
		if err != nil {
			return nil, p, ratsnetz.Errorf(ratsnetz.EINVALID, "Die Adresse von %s ist ungültig.", r.Name)
		}
		jobs = append(jobs, job)
	}
	if err := iv.Dist.CreateInvitation(ctx, inv, jobs); err != nil {
		return nil, p, err
	}
	return inv, p, nil
}

// NewToken returns a receipt token and the hash the store keeps.
func NewToken() (token, hash string) {
	var b [24]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken returns the stored form of a receipt token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RefPrefix marks the Ref of a notice mail: the rest is the token hash.
const RefPrefix = "receipt:"

var noticeHTML = template.Must(template.New("notice").Parse(`<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif;color:#1a1a1a">
<p>Guten Tag {{.Name}},</p>
<p>{{.Intro}}</p>
{{if .Changes}}<ul>{{range .Changes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Items}}<p>Öffentliche Tagesordnung:</p><ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Hidden}}<p>Dazu kommen {{.Hidden}} nichtöffentliche Tagesordnungspunkte; Sie sehen sie nach der Anmeldung.</p>{{end}}
<p><a href="{{.Link}}">Einladung und Unterlagen öffnen</a></p>
<p style="font-size:small">Dieser Link ist persönlich: Mit dem Öffnen bestätigen Sie den Empfang.</p>
</body></html>`))

// noticeMail is the notice to one recipient: date, place, the public
// agenda (from the public's view) and the personal link. It never carries
// non-public content.
func (iv *Inviter) noticeMail(p *Plan, publicMt *Meeting, r *ratsnetz.InvitationRecipient) mail.Message {
	when := iv.Builder.When(p.Meeting.Meeting)
	link := strings.TrimRight(iv.BaseURL, "/") + "/mein/empfang/" + r.Token
	org := "des Gremiums"
	if p.Meeting.Org != nil {
		org = p.Meeting.Org.Name // organizations are public
	}
	subject := "Einladung: " + org + ", " + when
	intro := "Sie sind zur Sitzung " + org + " am " + when + " eingeladen."
	if p.Kind == ratsnetz.InvitationKindSupplement {
		subject = "Nachtrag zur Einladung: " + org + ", " + when
		intro = "Zur Sitzung " + org + " am " + when + " gibt es einen Nachtrag. Geändert hat sich:"
	}
	var items []string
	hidden := 0
	if publicMt != nil && publicMt.Meeting.Public {
		if publicMt.Location != "" {
			intro += " Ort: " + publicMt.Location + "."
		}
		for _, it := range publicMt.Items {
			if it.Redacted || !it.Public {
				hidden++
				continue
			}
			items = append(items, itemTitle(it))
		}
	} else {
		intro += " Es handelt sich um eine nichtöffentliche Sitzung."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Guten Tag %s,\n\n%s\n", r.Name, intro)
	for _, c := range p.PublicChanges {
		fmt.Fprintf(&b, "- %s\n", c)
	}
	if len(items) > 0 {
		b.WriteString("\nÖffentliche Tagesordnung:\n")
		for _, it := range items {
			fmt.Fprintf(&b, "- %s\n", it)
		}
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "\nDazu kommen %d nichtöffentliche Tagesordnungspunkte; Sie sehen sie nach der Anmeldung.\n", hidden)
	}
	fmt.Fprintf(&b, "\nEinladung und Unterlagen: %s\n\nDieser Link ist persönlich: Mit dem Öffnen bestätigen Sie den Empfang.\n", link)
	var h strings.Builder
	noticeHTML.Execute(&h, map[string]any{"Subject": subject, "Name": r.Name, "Intro": intro, "Changes": p.PublicChanges,
		"Items": items, "Hidden": hidden, "Link": link})
	id := "invitation-" + r.TokenHash[:24]
	if iv.Domain != "" {
		id += "@" + iv.Domain
	} else {
		id += "@ratsnetz.invalid"
	}
	return mail.Message{To: r.Email, Subject: subject, Body: b.String(), HTML: h.String(), ID: id, Ref: RefPrefix + r.TokenHash}
}
