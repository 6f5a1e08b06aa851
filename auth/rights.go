package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
)

// Objects finds the council objects that grants and conflicts of interest
// refer to; *sqlstore.DB implements it. The service reads them as the
// system (the office must be able to grant access to material it names by
// number).
type Objects interface {
	FindOrganizationByID(ctx context.Context, id int64) (*ratsnetz.Organization, error)
	FindPaperByID(ctx context.Context, id int64) (*ratsnetz.Paper, error)
	FindMeetingByID(ctx context.Context, id int64) (*ratsnetz.Meeting, error)
	FindAgendaItemByID(ctx context.Context, id int64) (*ratsnetz.AgendaItem, error)
}

// RequireRightsManager admits administrators and the council office
// (Sitzungsdienst), both with two-factor login, to the pages for grants
// and conflicts of interest. Which objects the council office may manage is
// checked per object (its bodies only).
func RequireRightsManager(a *ratsnetz.Account) error {
	if a == nil || !a.Active {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur für die Administration und den Sitzungsdienst.")
	}
	if !a.HasRole(ratsnetz.RoleKindAdministrator) && !a.HasRole(ratsnetz.RoleKindCouncilOffice) {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur für die Administration und den Sitzungsdienst.")
	}
	if !a.TOTPEnabled {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Dafür ist die Zwei-Faktor-Anmeldung nötig.")
	}
	return nil
}

// mayManage reports whether a may manage rights on material of body
// bodyID: administrators everywhere; the council office for its body (or
// all bodies), but never for a company-law confidential board, whose
// material it does not see itself.
func mayManage(a *ratsnetz.Account, bodyID int64, confidential bool) error {
	if err := RequireRightsManager(a); err != nil {
		return err
	}
	if a.HasRole(ratsnetz.RoleKindAdministrator) {
		return nil
	}
	if !confidential {
		for _, r := range a.Roles {
			if r.Kind == ratsnetz.RoleKindCouncilOffice && (r.BodyID == 0 || r.BodyID == bodyID) {
				return nil
			}
		}
	}
	return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Der Sitzungsdienst verwaltet nur Rechte an Unterlagen seiner Körperschaft; vertrauliche Gremien von Unternehmen verwaltet die Administration.")
}

func (s *Service) objects() (Objects, error) {
	if s.Objects == nil {
		return nil, fmt.Errorf("auth: Service.Objects is not set")
	}
	return s.Objects, nil
}

// grantTarget returns the body of the object a grant refers to and whether
// it is confidential; a missing object is EINVALID (a form error).
func (s *Service) grantTarget(ctx context.Context, kind string, id int64) (body int64, confidential bool, name string, err error) {
	objs, err := s.objects()
	if err != nil {
		return 0, false, "", err
	}
	sys := ratsnetz.SystemContext(ctx)
	switch kind {
	case ratsnetz.GrantOrganization:
		o, err := objs.FindOrganizationByID(sys, id)
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			return 0, false, "", ratsnetz.Errorf(ratsnetz.EINVALID, "Ein Gremium mit der Nummer %d gibt es nicht.", id)
		} else if err != nil {
			return 0, false, "", err
		}
		return o.BodyID, o.Confidential, o.Name, nil
	case ratsnetz.GrantPaper:
		p, err := objs.FindPaperByID(sys, id)
		if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			return 0, false, "", ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Vorlage mit der Nummer %d gibt es nicht.", id)
		} else if err != nil {
			return 0, false, "", err
		}
		return p.BodyID, false, p.Name, nil
	}
	return 0, false, "", ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Freigabe gilt für ein Gremium oder eine Vorlage.")
}

// FindGrants lists grants for the rights pages.
func (s *Service) FindGrants(ctx context.Context, by *ratsnetz.Account, f ratsnetz.GrantFilter) ([]*ratsnetz.Grant, int, error) {
	if err := RequireRightsManager(by); err != nil {
		return nil, 0, err
	}
	return s.Accounts.FindGrants(ctx, f)
}

// GrantAccess gives an account or a person access to the non-public
// material of an organization or a paper until g.Expires (required, in the
// future). Audited as grant_created.
func (s *Service) GrantAccess(ctx context.Context, by *ratsnetz.Account, g *ratsnetz.Grant, c Client) error {
	if err := RequireRightsManager(by); err != nil {
		return err
	}
	if g.Expires.IsZero() {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie an, bis wann die Freigabe gilt.")
	}
	if !g.Expires.After(s.now()) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Das Ablaufdatum muss in der Zukunft liegen.")
	}
	if g.Expires.After(s.now().AddDate(5, 0, 1)) {
		return ratsnetz.Errorf(ratsnetz.EINVALID, "Eine Freigabe gilt höchstens fünf Jahre.")
	}
	if g.AccountID != 0 {
		if _, err := s.Accounts.FindAccountByID(ctx, g.AccountID); ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
			return ratsnetz.Errorf(ratsnetz.EINVALID, "Dieses Konto gibt es nicht.")
		} else if err != nil {
			return fmt.Errorf("grant access: %w", err)
		}
	}
	body, confidential, name, err := s.grantTarget(ctx, g.ObjectKind, g.ObjectID)
	if err != nil {
		return err
	}
	if err := mayManage(by, body, confidential); err != nil {
		return err
	}
	g.GrantedBy = by.ID
	if err := s.Accounts.CreateGrant(ctx, g); err != nil {
		return err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: by.ID, Actor: actor(by), Action: ratsnetz.AuditGrantCreated, ObjectKind: g.ObjectKind, ObjectID: g.ObjectID,
		Detail: fmt.Sprintf("Freigabe %d für %s an %q bis %s: %s", g.ID, grantHolder(g), name, g.Expires.UTC().Format(time.RFC3339), g.Reason)}, c)
	return nil
}

// RevokeGrant withdraws a grant at once. Audited as grant_deleted.
func (s *Service) RevokeGrant(ctx context.Context, by *ratsnetz.Account, id int64, c Client) error {
	if err := RequireRightsManager(by); err != nil {
		return err
	}
	gs, _, err := s.Accounts.FindGrants(ctx, ratsnetz.GrantFilter{ID: id, ListOptions: ratsnetz.ListOptions{Limit: 1}})
	if err != nil {
		return fmt.Errorf("revoke grant %d: %w", id, err)
	}
	if len(gs) == 0 {
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Freigabe nicht gefunden.")
	}
	g := gs[0]
	body, confidential, _, err := s.grantTarget(ctx, g.ObjectKind, g.ObjectID)
	if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EINVALID { // a grant on a deleted object may go
		return err
	}
	if err == nil {
		if err := mayManage(by, body, confidential); err != nil {
			return err
		}
	} else if !by.HasRole(ratsnetz.RoleKindAdministrator) {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Nur die Administration widerruft Freigaben an gelöschten Unterlagen.")
	}
	if err := s.Accounts.DeleteGrant(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: by.ID, Actor: actor(by), Action: ratsnetz.AuditGrantDeleted, ObjectKind: g.ObjectKind, ObjectID: g.ObjectID,
		Detail: fmt.Sprintf("Freigabe %d für %s widerrufen", g.ID, grantHolder(g))}, c)
	return nil
}

func grantHolder(g *ratsnetz.Grant) string {
	if g.AccountID != 0 {
		return fmt.Sprintf("Konto %d", g.AccountID)
	}
	return fmt.Sprintf("Person %d", g.PersonID)
}

func (s *Service) conflicts() (ratsnetz.ConflictService, error) {
	if s.Conflicts == nil {
		return nil, fmt.Errorf("auth: Service.Conflicts is not set")
	}
	return s.Conflicts, nil
}

// itemBody returns the body of an agenda item's meeting.
func (s *Service) itemBody(ctx context.Context, itemID int64) (int64, error) {
	objs, err := s.objects()
	if err != nil {
		return 0, err
	}
	sys := ratsnetz.SystemContext(ctx)
	it, err := objs.FindAgendaItemByID(sys, itemID)
	if ratsnetz.ErrorCode(err) == ratsnetz.ENOTFOUND {
		return 0, ratsnetz.Errorf(ratsnetz.EINVALID, "Einen Tagesordnungspunkt mit der Nummer %d gibt es nicht.", itemID)
	} else if err != nil {
		return 0, err
	}
	m, err := objs.FindMeetingByID(sys, it.MeetingID)
	if err != nil {
		return 0, fmt.Errorf("meeting of agenda item %d: %w", itemID, err)
	}
	return m.BodyID, nil
}

// FindConflicts lists declarations for the rights pages.
func (s *Service) FindConflicts(ctx context.Context, by *ratsnetz.Account, f ratsnetz.ConflictFilter) ([]*ratsnetz.ConflictOfInterest, int, error) {
	if err := RequireRightsManager(by); err != nil {
		return nil, 0, err
	}
	cs, err := s.conflicts()
	if err != nil {
		return nil, 0, err
	}
	return cs.FindConflicts(ctx, f)
}

// FindOwnConflicts lists the declarations of the member's person.
func (s *Service) FindOwnConflicts(ctx context.Context, member *ratsnetz.Account) ([]*ratsnetz.ConflictOfInterest, error) {
	if member == nil || member.PersonID == 0 {
		return nil, nil
	}
	cs, err := s.conflicts()
	if err != nil {
		return nil, err
	}
	out, _, err := cs.FindConflicts(ctx, ratsnetz.ConflictFilter{PersonID: member.PersonID, ListOptions: ratsnetz.ListOptions{Limit: 500}})
	return out, err
}

// DeclareConflict records that the member (their linked person) is
// conflicted (befangen) on an agenda item: from now on they lose access to
// its non-public documents. Audited as conflict_declared.
func (s *Service) DeclareConflict(ctx context.Context, member *ratsnetz.Account, itemID int64, note string, c Client) (*ratsnetz.ConflictOfInterest, error) {
	if member == nil || !member.Active || member.PersonID == 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Eine Befangenheit erklären Mandatsträgerinnen und Mandatsträger, deren Konto mit ihrer Person verknüpft ist.")
	}
	if _, err := s.itemBody(ctx, itemID); err != nil {
		return nil, err
	}
	return s.recordConflict(ctx, member, member.PersonID, itemID, note, c)
}

// RecordConflict records a conflict of interest of a person on an agenda
// item for the council office (its bodies) or an administrator.
func (s *Service) RecordConflict(ctx context.Context, by *ratsnetz.Account, personID, itemID int64, note string, c Client) (*ratsnetz.ConflictOfInterest, error) {
	if err := RequireRightsManager(by); err != nil {
		return nil, err
	}
	if personID <= 0 {
		return nil, ratsnetz.Errorf(ratsnetz.EINVALID, "Bitte geben Sie die Person an.")
	}
	body, err := s.itemBody(ctx, itemID)
	if err != nil {
		return nil, err
	}
	if err := mayManage(by, body, false); err != nil {
		return nil, err
	}
	return s.recordConflict(ctx, by, personID, itemID, note, c)
}

func (s *Service) recordConflict(ctx context.Context, by *ratsnetz.Account, personID, itemID int64, note string, c Client) (*ratsnetz.ConflictOfInterest, error) {
	cs, err := s.conflicts()
	if err != nil {
		return nil, err
	}
	coi := &ratsnetz.ConflictOfInterest{PersonID: personID, AgendaItemID: itemID, Note: note, RecordedBy: by.ID}
	if err := cs.DeclareConflict(ctx, coi); err != nil {
		return nil, err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: by.ID, Actor: actor(by), Action: ratsnetz.AuditConflictDeclared, ObjectKind: "agendaitem", ObjectID: itemID,
		Detail: fmt.Sprintf("Befangenheit %d: Person %d: %s", coi.ID, personID, note)}, c)
	return coi, nil
}

// DeleteConflict withdraws a declaration: the council office (its bodies)
// or an administrator may delete any; a member only one they declared
// themselves. Audited as conflict_deleted.
func (s *Service) DeleteConflict(ctx context.Context, by *ratsnetz.Account, id int64, c Client) error {
	if by == nil || !by.Active {
		return ratsnetz.Errorf(ratsnetz.EFORBIDDEN, "Keine Berechtigung.")
	}
	cs, err := s.conflicts()
	if err != nil {
		return err
	}
	found, _, err := cs.FindConflicts(ctx, ratsnetz.ConflictFilter{ID: id, ListOptions: ratsnetz.ListOptions{Limit: 1}})
	if err != nil {
		return fmt.Errorf("delete conflict %d: %w", id, err)
	}
	if len(found) == 0 {
		return ratsnetz.Errorf(ratsnetz.ENOTFOUND, "Befangenheit nicht gefunden.")
	}
	coi := found[0]
	own := by.PersonID != 0 && coi.PersonID == by.PersonID && coi.RecordedBy == by.ID
	if !own {
		body, err := s.itemBody(ctx, coi.AgendaItemID)
		if err != nil && ratsnetz.ErrorCode(err) != ratsnetz.EINVALID {
			return err
		}
		if err := mayManage(by, body, false); err != nil {
			return err
		}
	}
	if err := cs.DeleteConflict(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, ratsnetz.AuditEvent{AccountID: by.ID, Actor: actor(by), Action: ratsnetz.AuditConflictDeleted, ObjectKind: "agendaitem", ObjectID: coi.AgendaItemID,
		Detail: fmt.Sprintf("Befangenheit %d: Person %d", coi.ID, coi.PersonID)}, c)
	return nil
}
