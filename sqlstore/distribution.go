package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// This file implements ratsnetz.DistributionService (owner: distribution
// engineer): delivery preferences, invitations with recipients, receipts and
// the print-and-post list. Tables: migration 0010_jobs_distribution.sql.
// Invitations are the office's records: they change nothing the public
// portal or OParl shows, so they do not bump the data version.

var _ ratsnetz.DistributionService = (*DB)(nil)

func validDeliveryChannel(c string) bool {
	return c == ratsnetz.ChannelApp || c == ratsnetz.ChannelEmail || c == ratsnetz.ChannelPost
}

// FindDeliveryPrefs returns the person's preferences, or the defaults
// (digital, no consent) if none are stored.
func (db *DB) FindDeliveryPrefs(ctx context.Context, personID int64) (*ratsnetz.DeliveryPrefs, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find delivery prefs: %w", err)
	}
	defer tx.Rollback()
	a, err := db.actorOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	if !a.system && a.personID != personID && !a.anyOffice() {
		return nil, forbidden()
	}
	return db.deliveryPrefs(ctx, tx, personID)
}

func (db *DB) deliveryPrefs(ctx context.Context, tx *sql.Tx, personID int64) (*ratsnetz.DeliveryPrefs, error) {
	p := &ratsnetz.DeliveryPrefs{PersonID: personID, Channel: ratsnetz.ChannelApp}
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT channel, email, postal_address, electronic_consent, consent_at, modified
		FROM delivery_prefs WHERE person_id = ?`), personID).
		Scan(&p.Channel, &p.Email, &p.PostalAddress, boolScanner{&p.ElectronicConsent}, timeScanner{&p.ConsentAt}, timeScanner{&p.Modified})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find delivery prefs: %w", err)
	}
	return p, nil
}

// SaveDeliveryPrefs stores the viewer's own preferences. Consent keeps its
// first timestamp while it stays given.
func (db *DB) SaveDeliveryPrefs(ctx context.Context, p *ratsnetz.DeliveryPrefs) error {
	p.Email = strings.TrimSpace(p.Email)
	p.PostalAddress = strings.TrimSpace(strings.ReplaceAll(p.PostalAddress, "\r\n", "\n"))
	switch {
	case !validDeliveryChannel(p.Channel):
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie einen Zustellweg.")
	case p.Channel == ratsnetz.ChannelEmail && (!strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " \t\r\n,;<>") || len(p.Email) > 254):
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Für die Zustellung per E-Mail brauchen wir eine gültige E-Mail-Adresse.")
	case p.Channel == ratsnetz.ChannelPost && len(strings.Split(p.PostalAddress, "\n")) < 2:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Für die Zustellung per Post brauchen wir eine Anschrift mit mindestens zwei Zeilen.")
	case p.Channel != ratsnetz.ChannelPost && !p.ElectronicConsent:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Die elektronische Einladung braucht Ihre Einwilligung; ohne sie wählen Sie bitte die Zustellung per Post.")
	case len(p.PostalAddress) > 500:
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Anschrift ist zu lang.")
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, err := db.actorOf(ctx, tx)
	if err != nil {
		return err
	}
	if !a.system && (a.personID == 0 || a.personID != p.PersonID) {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Den Zustellweg legt jedes Mitglied selbst fest.")
	}
	old, err := db.deliveryPrefs(ctx, tx, p.PersonID)
	if err != nil {
		return err
	}
	now := db.now()
	switch {
	case !p.ElectronicConsent:
		p.ConsentAt = time.Time{}
	case old.ElectronicConsent && !old.ConsentAt.IsZero():
		p.ConsentAt = old.ConsentAt
	default:
		p.ConsentAt = now
	}
	p.Modified = now
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO delivery_prefs (person_id, channel, email, postal_address,
		electronic_consent, consent_at, modified) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET channel = excluded.channel, email = excluded.email,
		postal_address = excluded.postal_address, electronic_consent = excluded.electronic_consent,
		consent_at = excluded.consent_at, modified = excluded.modified`),
		p.PersonID, p.Channel, p.Email, p.PostalAddress, p.ElectronicConsent, db.tm(p.ConsentAt), db.tm(now)); err != nil {
		return fmt.Errorf("save delivery prefs: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save delivery prefs: commit: %w", err)
	}
	return nil
}

// officeOfMeeting checks that the actor is council office of the meeting's body.
func (db *DB) officeOfMeeting(ctx context.Context, tx *sql.Tx, meetingID int64) error {
	a, err := db.actorOf(ctx, tx)
	if err != nil {
		return err
	}
	var bodyID int64
	err = tx.QueryRowContext(ctx, db.rebind(`SELECT body_id FROM meetings WHERE id = ? AND deleted = ?`), meetingID, false).Scan(&bodyID)
	if errors.Is(err, sql.ErrNoRows) {
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diese Sitzung gibt es nicht.")
	} else if err != nil {
		return fmt.Errorf("meeting body: %w", err)
	}
	if !a.office(bodyID) {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Einladen und die Druckliste führen darf nur der Sitzungsdienst.")
	}
	return nil
}

// CreateInvitation stores inv, its recipients (their TokenHash set by the
// caller) and jobs in one transaction (office of the meeting's body).
func (db *DB) CreateInvitation(ctx context.Context, inv *ratsnetz.Invitation, jobs []ratsnetz.NewJob) error {
	if inv.Kind != ratsnetz.InvitationKindInvitation && inv.Kind != ratsnetz.InvitationKindSupplement {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Unbekannte Art der Einladung.")
	}
	if !inv.DeadlineMet && strings.TrimSpace(inv.Reason) == "" {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Die Ladungsfrist ist nicht eingehalten: Bitte begründen Sie die kurzfristige Einladung.")
	}
	agenda, err := json.Marshal(inv.Agenda)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.officeOfMeeting(ctx, tx, inv.MeetingID); err != nil {
		return err
	}
	v := ratsnetz.ViewerFromContext(ctx)
	inv.CreatedBy = v.AccountID
	inv.Created = db.now()
	if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO invitations (meeting_id, kind, deadline_met, reason, changes,
		agenda, pdf, created_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		inv.MeetingID, inv.Kind, inv.DeadlineMet, inv.Reason, strings.Join(inv.Changes, "\n"), string(agenda), inv.PDF,
		inv.CreatedBy, db.tm(inv.Created)).Scan(&inv.ID); err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	for _, r := range inv.Recipients {
		if r.TokenHash == "" || !validDeliveryChannel(r.Channel) {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Unvollständige Empfängerin / unvollständiger Empfänger.")
		}
		r.InvitationID, r.MeetingID = inv.ID, inv.MeetingID
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO invitation_recipients (invitation_id, person_id, name, role,
			channel, email, postal_address, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			inv.ID, r.PersonID, r.Name, r.Role, r.Channel, r.Email, r.PostalAddress, r.TokenHash).Scan(&r.ID); err != nil {
			return fmt.Errorf("create invitation recipient: %w", err)
		}
	}
	if err := db.enqueueJobsTx(ctx, tx, jobs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create invitation: commit: %w", err)
	}
	return nil
}

// FindInvitations returns the meeting's invitations with their recipients.
func (db *DB) FindInvitations(ctx context.Context, meetingID int64) ([]*ratsnetz.Invitation, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	defer tx.Rollback()
	if err := db.officeOfMeeting(ctx, tx, meetingID); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id, meeting_id, kind, deadline_met, reason, changes, agenda, pdf,
		created_by, created FROM invitations WHERE meeting_id = ? ORDER BY id`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	var out []*ratsnetz.Invitation
	byID := map[int64]*ratsnetz.Invitation{}
	for rows.Next() {
		inv := &ratsnetz.Invitation{}
		var changes, agenda string
		if err := rows.Scan(&inv.ID, &inv.MeetingID, &inv.Kind, boolScanner{&inv.DeadlineMet}, &inv.Reason, &changes, &agenda,
			&inv.PDF, &inv.CreatedBy, timeScanner{&inv.Created}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find invitations: %w", err)
		}
		if changes != "" {
			inv.Changes = strings.Split(changes, "\n")
		}
		if err := json.Unmarshal([]byte(agenda), &inv.Agenda); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find invitations: agenda: %w", err)
		}
		out = append(out, inv)
		byID[inv.ID] = inv
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	rs, err := db.recipients(ctx, tx, ratsnetz.RecipientFilter{MeetingID: meetingID})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if inv := byID[r.InvitationID]; inv != nil {
			inv.Recipients = append(inv.Recipients, r)
		}
	}
	return out, nil
}

const recipientCols = `r.id, r.invitation_id, i.meeting_id, r.person_id, r.name, r.role, r.channel, r.email, r.postal_address,
	r.token_hash, r.sent, r.opened, r.packet_sent`

func scanRecipient(s interface{ Scan(...any) error }) (*ratsnetz.InvitationRecipient, error) {
	r := &ratsnetz.InvitationRecipient{}
	err := s.Scan(&r.ID, &r.InvitationID, &r.MeetingID, &r.PersonID, &r.Name, &r.Role, &r.Channel, &r.Email, &r.PostalAddress,
		&r.TokenHash, timeScanner{&r.Sent}, timeScanner{&r.Opened}, timeScanner{&r.PacketSent})
	return r, err
}

func (db *DB) recipients(ctx context.Context, tx *sql.Tx, f ratsnetz.RecipientFilter) ([]*ratsnetz.InvitationRecipient, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds = append(conds, cond); args = append(args, v) }
	if f.MeetingID != 0 {
		add("i.meeting_id = ?", f.MeetingID)
	}
	if f.InvitationID != 0 {
		add("r.invitation_id = ?", f.InvitationID)
	}
	if f.PersonID != 0 {
		add("r.person_id = ?", f.PersonID)
	}
	if f.Channel != "" {
		add("r.channel = ?", f.Channel)
	}
	q := `SELECT ` + recipientCols + ` FROM invitation_recipients r JOIN invitations i ON i.id = r.invitation_id`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	rows, err := tx.QueryContext(ctx, db.rebind(q+` ORDER BY r.invitation_id, r.name, r.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("find recipients: %w", err)
	}
	defer rows.Close()
	var out []*ratsnetz.InvitationRecipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return nil, fmt.Errorf("find recipients: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRecipients returns recipients of one meeting (office of its body).
func (db *DB) FindRecipients(ctx context.Context, f ratsnetz.RecipientFilter) ([]*ratsnetz.InvitationRecipient, error) {
	if f.MeetingID == 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte wählen Sie eine Sitzung.")
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("find recipients: %w", err)
	}
	defer tx.Rollback()
	if err := db.officeOfMeeting(ctx, tx, f.MeetingID); err != nil {
		return nil, err
	}
	return db.recipients(ctx, tx, f)
}

// MarkRecipientSent records the first sending time (the mail worker runs as
// the system).
func (db *DB) MarkRecipientSent(ctx context.Context, tokenHash string, at time.Time) error {
	if !ratsnetz.ViewerFromContext(ctx).System {
		return forbidden()
	}
	if _, err := db.write.ExecContext(ctx, db.rebind(`UPDATE invitation_recipients SET sent = ? WHERE token_hash = ? AND sent IS NULL`),
		db.tm(at), tokenHash); err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// OpenReceipt records the first opening of a personal link. The token is
// the credential: no login is needed to confirm receipt.
func (db *DB) OpenReceipt(ctx context.Context, tokenHash string, at time.Time) (*ratsnetz.InvitationRecipient, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := scanRecipient(tx.QueryRowContext(ctx, db.rebind(`SELECT `+recipientCols+`
		FROM invitation_recipients r JOIN invitations i ON i.id = r.invitation_id WHERE r.token_hash = ?`), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Dieser Empfangslink ist ungültig.")
	} else if err != nil {
		return nil, fmt.Errorf("open receipt: %w", err)
	}
	if r.Opened.IsZero() {
		r.Opened = at.UTC().Truncate(time.Microsecond)
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE invitation_recipients SET opened = ? WHERE id = ?`), db.tm(r.Opened), r.ID); err != nil {
			return nil, fmt.Errorf("open receipt: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("open receipt: commit: %w", err)
	}
	return r, nil
}

// MarkPacketSent records that the printed packet went into the post.
func (db *DB) MarkPacketSent(ctx context.Context, recipientID int64, at time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var meetingID int64
	err = tx.QueryRowContext(ctx, db.rebind(`SELECT i.meeting_id FROM invitation_recipients r JOIN invitations i ON i.id = r.invitation_id
		WHERE r.id = ?`), recipientID).Scan(&meetingID)
	if errors.Is(err, sql.ErrNoRows) {
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Diesen Empfänger gibt es nicht.")
	} else if err != nil {
		return fmt.Errorf("mark packet sent: %w", err)
	}
	if err := db.officeOfMeeting(ctx, tx, meetingID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE invitation_recipients SET packet_sent = ?, packet_sent_by = ?
		WHERE id = ? AND packet_sent IS NULL`), db.tm(at), ratsnetz.ViewerFromContext(ctx).AccountID, recipientID); err != nil {
		return fmt.Errorf("mark packet sent: %w", err)
	}
	return tx.Commit()
}

// AccountOfPerson returns the person's active account (the oldest), 0 if
// none. System only: it decides whose rights a packet is built with.
func (db *DB) AccountOfPerson(ctx context.Context, personID int64) (int64, error) {
	if !ratsnetz.ViewerFromContext(ctx).System {
		return 0, forbidden()
	}
	var id int64
	err := db.read.QueryRowContext(ctx, db.rebind(`SELECT id FROM accounts WHERE person_id = ? AND active = ? ORDER BY id LIMIT 1`),
		personID, true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("account of person: %w", err)
	}
	return id, nil
}
