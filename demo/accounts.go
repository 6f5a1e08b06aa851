package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/password"
	"github.com/ratsnetz/ratsnetz/totp"
)

// Demo accounts (issue 5): one per role, all with DemoPassword; the roles
// that require two-factor login (administrator, Sitzungsdienst) use
// DemoTOTPSecret. Both are public knowledge (README): demo data only.
const (
	DemoPassword = "Musterstadt-Demo-2026"
	// DemoTOTPSecret is the base32 TOTP key of the demo accounts with a
	// second factor; add it to any authenticator app (or compute codes with
	// totp.Code).
	DemoTOTPSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

// AccountStore is what LoadAccounts needs: accounts and memberships, and
// for the live demo meeting organizations, meetings and the loader.
type AccountStore interface {
	ratsnetz.AccountService
	FindMemberships(ctx context.Context, f ratsnetz.MembershipFilter) ([]*ratsnetz.Membership, int, error)
	LiveStore
}

// DemoAccount describes one demo login.
type DemoAccount struct {
	Email string
	Role  ratsnetz.RoleKind
	// Sees says in German what the account sees beyond the public.
	Sees string
	TOTP bool
}

// LoadAccounts creates the demo accounts that do not exist yet (by e-mail
// address) and returns all of them. Persons are taken from the loaded demo:
// current memberships on now. It also creates the live demo meeting
// (LiveMeetingID) on its first run, with accounts for its chair and members.
// Call it with a system context after Load.
func LoadAccounts(ctx context.Context, store AccountStore, hasher password.Hasher, now time.Time) ([]DemoAccount, error) {
	secret, err := totp.DecodeSecret(DemoTOTPSecret)
	if err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	hash, err := hasher.Hash(DemoPassword)
	if err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// member returns a person (lowest ID) with a current membership of org
	// in role ("" = any but deputy), and the faction they sit for.
	member := func(org int64, role string) (person, faction int64, err error) {
		ms, _, err := store.FindMemberships(ctx, ratsnetz.MembershipFilter{OrganizationID: org, ActiveAt: day, ListOptions: ratsnetz.ListOptions{Limit: 1000}})
		if err != nil {
			return 0, 0, fmt.Errorf("demo accounts: memberships of %d: %w", org, err)
		}
		// Prefer someone who sits for a faction (the faction staff account
		// needs one), then the lowest person ID.
		better := func(m *ratsnetz.Membership) bool {
			if person == 0 {
				return true
			}
			if (m.OnBehalfOfID != 0) != (faction != 0) {
				return m.OnBehalfOfID != 0
			}
			return m.PersonID < person
		}
		for _, m := range ms {
			if ((role == "" && m.Role != ratsnetz.RoleDeputy) || m.Role == role) && better(m) {
				person, faction = m.PersonID, m.OnBehalfOfID
			}
		}
		return person, faction, nil
	}
	councillor, faction, err := member(CouncilID, "")
	if err != nil {
		return nil, err
	}
	if councillor == 0 || faction == 0 {
		return nil, fmt.Errorf("demo accounts: no current council member sitting for a faction on %s", day.Format("2006-01-02"))
	}
	deputy, _, err := member(FinanceCommitteeID, ratsnetz.RoleDeputy)
	if err != nil {
		return nil, err
	}
	board, _, err := member(StadtwerkeBoardID, "")
	if err != nil {
		return nil, err
	}
	type spec struct {
		DemoAccount
		name   string
		person int64
		role   ratsnetz.AccountRole
	}
	specs := []spec{
		{DemoAccount{"ratsmitglied@musterstadt.example", ratsnetz.RoleKindMandateHolder, "nichtöffentliche Teile des Rates und seiner Ausschüsse, in denen die Person sitzt", false},
			"Ratsmitglied (Demo)", councillor, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}},
		{DemoAccount{"stellvertretung@musterstadt.example", ratsnetz.RoleKindMandateHolder, "nichtöffentliche Teile des Haupt- und Finanzausschusses (als Stellvertretung)", false},
			"Stellvertretendes Mitglied (Demo)", deputy, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}},
		{DemoAccount{"aufsichtsrat@musterstadt.example", ratsnetz.RoleKindMandateHolder, "vertrauliche Unterlagen des Aufsichtsrats der Stadtwerke", false},
			"Aufsichtsratsmitglied (Demo)", board, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}},
		{DemoAccount{"fraktion@musterstadt.example", ratsnetz.RoleKindFactionStaff, "nichtöffentliche Teile der Gremien, in denen die Fraktion sitzt", false},
			"Fraktionsgeschäftsstelle (Demo)", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindFactionStaff, OrganizationID: faction}},
		{DemoAccount{"sitzungsdienst@musterstadt.example", ratsnetz.RoleKindCouncilOffice, "alle nichtöffentlichen Unterlagen der Stadt, nicht die der Aufsichtsräte", true},
			"Sitzungsdienst (Demo)", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCouncilOffice, BodyID: CityBodyID}},
		{DemoAccount{"gremienbuero@musterstadt.example", ratsnetz.RoleKindCompanyStaff, "vertrauliche Unterlagen der Stadtwerke-Gremien", false},
			"Gremienbüro Stadtwerke (Demo)", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindCompanyStaff, BodyID: StadtwerkeBodyID}},
		{DemoAccount{"admin@musterstadt.example", ratsnetz.RoleKindAdministrator, "Kontenverwaltung und Protokoll (keine vertraulichen Aufsichtsratsunterlagen)", true},
			"Administration (Demo)", 0, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindAdministrator}},
	}
	lives, err := loadLive(ctx, store, now)
	if err != nil {
		return nil, err
	}
	for _, l := range lives {
		specs = append(specs, spec{l.DemoAccount, l.name, l.person, ratsnetz.AccountRole{Kind: ratsnetz.RoleKindMandateHolder}})
	}
	out := make([]DemoAccount, 0, len(specs))
	for _, sp := range specs {
		out = append(out, sp.DemoAccount)
		if _, err := store.FindAccountByLogin(ctx, sp.Email); err == nil {
			continue
		} else if ratsnetz.ErrorCode(err) != ratsnetz.ENOTFOUND {
			return nil, fmt.Errorf("demo accounts: %w", err)
		}
		a := &ratsnetz.Account{Email: sp.Email, DisplayName: sp.name, PersonID: sp.person, PasswordHash: hash, Active: true,
			Roles: []ratsnetz.AccountRole{sp.role}, Created: now, Modified: now}
		if sp.TOTP {
			a.TOTPEnabled, a.TOTPSecret = true, secret
		}
		if err := store.CreateAccount(ctx, a); err != nil {
			return nil, fmt.Errorf("demo accounts: create %s: %w", sp.Email, err)
		}
	}
	return out, nil
}
