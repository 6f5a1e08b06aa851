package ratsnetz

import (
	"context"
	"sync"
	"time"
)

// This file holds accounts, roles, grants, sessions, one-time tokens and the
// audit log (issue 5). A logged-in request carries Viewer{AccountID,
// PersonID}; the stores derive every right from those two IDs in SQL
// (roles, memberships with their dates, grants), so Viewer itself needs no
// more fields.

// RoleKind is the kind of an account role.
type RoleKind string

// Account roles. The scope of a role is in AccountRole: BodyID for the
// council office (0 = all bodies), OrganizationID for the others.
const (
	// RoleKindAdministrator manages accounts, roles, grants and the audit log;
	// sees everything.
	RoleKindAdministrator RoleKind = "administrator"
	// RoleKindCouncilOffice is the Sitzungsdienst of a body (BodyID; 0 = all):
	// prepares meetings, sees all their material except confidential company
	// boards of other bodies.
	RoleKindCouncilOffice RoleKind = "sitzungsdienst"
	// RoleKindClerk is Sachbearbeitung in an administrative unit
	// (OrganizationID of a Verwaltungsbereich): writes that unit's papers.
	RoleKindClerk RoleKind = "sachbearbeitung"
	// RoleKindMandateHolder (Mandatsträger) has the rights that follow from
	// the memberships of the account's person; no scope.
	RoleKindMandateHolder RoleKind = "mandatstraeger"
	// RoleKindFactionStaff (Fraktionsmitarbeit) acts for a faction
	// (OrganizationID) and sees what the faction's members may see in the
	// bodies the faction sits in.
	RoleKindFactionStaff RoleKind = "fraktionsmitarbeit"
	// RoleKindCompanyStaff (Unternehmensgremienbüro) is the board office of a
	// company body (BodyID): prepares that company's board meetings.
	RoleKindCompanyStaff RoleKind = "unternehmensgremienbuero"
)

// RoleKinds returns every role kind, in the order the admin area shows them.
func RoleKinds() []RoleKind {
	return []RoleKind{RoleKindAdministrator, RoleKindCouncilOffice, RoleKindClerk,
		RoleKindMandateHolder, RoleKindFactionStaff, RoleKindCompanyStaff}
}

// Valid reports whether k is a known role kind.
func (k RoleKind) Valid() bool {
	for _, x := range RoleKinds() {
		if k == x {
			return true
		}
	}
	return false
}

// Label is the German name of the role.
func (k RoleKind) Label() string {
	switch k {
	case RoleKindAdministrator:
		return "Administration"
	case RoleKindCouncilOffice:
		return "Sitzungsdienst"
	case RoleKindClerk:
		return "Sachbearbeitung"
	case RoleKindMandateHolder:
		return "Mandatsträger/in"
	case RoleKindFactionStaff:
		return "Fraktionsmitarbeit"
	case RoleKindCompanyStaff:
		return "Unternehmensgremienbüro"
	}
	return string(k)
}

// AccountRole is one role of an account with its scope.
type AccountRole struct {
	Kind RoleKind
	// BodyID scopes RoleKindCouncilOffice (0 = every body) and
	// RoleKindCompanyStaff.
	BodyID int64
	// OrganizationID scopes RoleKindClerk (department) and
	// RoleKindFactionStaff (faction).
	OrganizationID int64
}

// Account is a login. It belongs to a Person (council member, citizen
// member) or stands alone (staff).
type Account struct {
	ID int64
	// PersonID links the account to a person; 0 for staff without one.
	PersonID int64
	// Email and UserName are unique (case-insensitive) when not empty; at
	// least one is set. Both are stored lower-case.
	Email       string
	UserName    string
	DisplayName string
	// PasswordHash is an encoded argon2id hash (package password); "" means
	// no local password (invited, or single sign-on only).
	PasswordHash string
	// TOTPSecret is the raw TOTP secret; nil when two-factor was never set up.
	TOTPSecret  []byte
	TOTPEnabled bool
	// TOTPLastStep is the time step of the last accepted code (replay guard).
	TOTPLastStep int64
	// RecoveryCodeHashes are the unused recovery codes, hashed (package totp).
	RecoveryCodeHashes []string
	// OIDCIssuer and OIDCSubject link the account to a single sign-on
	// identity; unique together when set.
	OIDCIssuer  string
	OIDCSubject string
	// Active is false for deactivated accounts: they cannot log in and their
	// sessions are deleted on deactivation.
	Active    bool
	Roles     []AccountRole
	Created   time.Time
	Modified  time.Time
	LastLogin time.Time
}

// HasRole reports whether a has a role of kind k (any scope).
func (a *Account) HasRole(k RoleKind) bool {
	for _, r := range a.Roles {
		if r.Kind == k {
			return true
		}
	}
	return false
}

// RequiresTOTP reports whether the account must use two-factor login:
// administrators and the council office must, others may.
func (a *Account) RequiresTOTP() bool {
	return a.HasRole(RoleKindAdministrator) || a.HasRole(RoleKindCouncilOffice)
}

// Viewer returns the viewer of a request logged in as a.
func (a *Account) Viewer() Viewer { return Viewer{AccountID: a.ID, PersonID: a.PersonID} }

// AccountUpdate changes an account; nil fields stay as they are.
type AccountUpdate struct {
	PersonID           *int64
	Email              *string
	UserName           *string
	DisplayName        *string
	PasswordHash       *string
	TOTPSecret         *[]byte
	TOTPEnabled        *bool
	TOTPLastStep       *int64
	RecoveryCodeHashes *[]string
	OIDCIssuer         *string
	OIDCSubject        *string
	Active             *bool
	// Roles, when set, replaces all roles.
	Roles     *[]AccountRole
	LastLogin *time.Time
}

// AccountFilter selects accounts.
type AccountFilter struct {
	IDs      []int64
	PersonID int64
	// Query matches e-mail, user name or display name (substring, any case).
	Query string
	// Active, when set, keeps active (true) or deactivated (false) accounts.
	Active *bool
	ListOptions
}

// Grant object kinds.
const (
	GrantOrganization = "organization"
	GrantPaper        = "paper"
)

// Grant is an explicit right of an account or a person to the non-public
// material of an organization (e.g. a council member entitled to a company
// board's reports) or of one paper, until it expires.
type Grant struct {
	ID int64
	// AccountID or PersonID (exactly one) receives the right.
	AccountID  int64
	PersonID   int64
	ObjectKind string // GrantOrganization or GrantPaper
	ObjectID   int64
	Reason     string
	// GrantedBy is the account that gave the right (0 = system).
	GrantedBy int64
	Created   time.Time
	// Expires ends the right; zero means it does not expire.
	Expires time.Time
}

// ActiveAt reports whether g is in force at t.
func (g *Grant) ActiveAt(t time.Time) bool { return g.Expires.IsZero() || t.Before(g.Expires) }

// GrantFilter selects grants.
type GrantFilter struct {
	ID         int64
	AccountID  int64
	PersonID   int64
	ObjectKind string
	ObjectID   int64
	// ActiveAt, when set, keeps grants in force at that time.
	ActiveAt time.Time
	ListOptions
}

// Session is a login session. The cookie holds a random token; only its
// hash is stored.
type Session struct {
	ID        int64
	TokenHash string // hex SHA-256 of the token (package token)
	AccountID int64
	Created   time.Time
	LastSeen  time.Time
	// Expires is the absolute end, whatever the activity.
	Expires   time.Time
	UserAgent string
	IP        string
	// TwoFactor is set when the login passed TOTP (or a recovery code).
	TwoFactor bool
}

// Token purposes.
const (
	TokenInvitation    = "invitation"
	TokenPasswordReset = "password_reset"
	// TokenRememberDevice marks a device on which the account logged in with
	// two factors; it skips TOTP and the per-account throttle there.
	TokenRememberDevice = "remember_device"
)

// OneTimeToken is a hashed, expiring token sent by e-mail (invitation,
// password reset) or set as a device cookie.
type OneTimeToken struct {
	ID        int64
	Purpose   string
	TokenHash string
	AccountID int64
	Created   time.Time
	Expires   time.Time
	// Used is when the token was consumed; zero while unused.
	Used time.Time
}

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login_failed"
	AuditLoginLocked    = "login_locked"
	AuditLogout         = "logout"
	AuditLogoutAll      = "logout_all"
	AuditTOTPEnabled    = "totp_enabled"
	AuditTOTPDisabled   = "totp_disabled"
	AuditRecoveryUsed   = "recovery_code_used"
	AuditPasswordReset  = "password_reset"
	AuditPasswordChange = "password_changed"
	AuditAccountCreated = "account_created"
	AuditAccountChanged = "account_changed"
	AuditDeactivated    = "account_deactivated"
	AuditRolesChanged   = "roles_changed"
	AuditGrantCreated   = "grant_created"
	AuditGrantDeleted   = "grant_deleted"
	AuditAccess         = "access" // a non-public object was read
	AuditAuditExported  = "audit_exported"
	// AuditConflictDeclared and AuditConflictDeleted record a Befangenheit
	// declared by the member or recorded by the council office, and its
	// withdrawal.
	AuditConflictDeclared = "conflict_declared"
	AuditConflictDeleted  = "conflict_deleted"
)

// AuditEvent is one entry of the audit log: who, what, when, from where, on
// which object.
type AuditEvent struct {
	ID   int64
	Time time.Time
	// AccountID is who acted (0 = unknown, e.g. a failed login for an
	// unknown name, or the system).
	AccountID int64
	// Actor is the login name as typed or the account's name at the time.
	Actor      string
	Action     string
	ObjectKind string // "paper", "file", "meeting", "agenda_item", "account", …
	ObjectID   int64
	IP         string
	UserAgent  string
	Detail     string
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	AccountID  int64
	Action     string
	ObjectKind string
	ObjectID   int64
	Since      time.Time
	Until      time.Time
	ListOptions
}

// AccountService manages accounts, sessions, tokens, grants and the audit
// log. Its methods do not check the caller: the auth and admin code that
// calls them does (administrator role, own account).
type AccountService interface {
	// CreateAccount stores a (ID, Created, Modified set on a); ECONFLICT if
	// the e-mail, user name or single sign-on identity is taken.
	CreateAccount(ctx context.Context, a *Account) error
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindAccountByLogin finds by e-mail or user name (any case).
	FindAccountByLogin(ctx context.Context, login string) (*Account, error)
	FindAccountByOIDC(ctx context.Context, issuer, subject string) (*Account, error)
	FindAccounts(ctx context.Context, f AccountFilter) ([]*Account, int, error)
	UpdateAccount(ctx context.Context, id int64, upd AccountUpdate) (*Account, error)
	// DeactivateAccount sets Active false and deletes all its sessions and
	// unused tokens in one transaction.
	DeactivateAccount(ctx context.Context, id int64) error

	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByToken finds an unexpired session by token hash at now.
	FindSessionByToken(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	FindSessions(ctx context.Context, accountID int64, now time.Time) ([]*Session, error)
	TouchSession(ctx context.Context, id int64, lastSeen time.Time) error
	DeleteSession(ctx context.Context, id int64) error
	// DeleteAccountSessions deletes the account's sessions except exceptID
	// ("log out everywhere else"; 0 = all) and returns how many.
	DeleteAccountSessions(ctx context.Context, accountID, exceptID int64) (int, error)

	CreateToken(ctx context.Context, t *OneTimeToken) error
	// ConsumeToken marks the unused, unexpired token of purpose with the hash
	// as used at now and returns it; ENOTFOUND otherwise (also when used).
	ConsumeToken(ctx context.Context, purpose, tokenHash string, now time.Time) (*OneTimeToken, error)
	// FindToken returns an unused, unexpired token without consuming it
	// (remembered devices); ENOTFOUND otherwise.
	FindToken(ctx context.Context, purpose, tokenHash string, now time.Time) (*OneTimeToken, error)
	// DeleteTokens deletes the account's tokens of purpose ("" = all).
	DeleteTokens(ctx context.Context, accountID int64, purpose string) error

	CreateGrant(ctx context.Context, g *Grant) error
	FindGrants(ctx context.Context, f GrantFilter) ([]*Grant, int, error)
	DeleteGrant(ctx context.Context, id int64) error

	AppendAudit(ctx context.Context, e *AuditEvent) error
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
	// ExportAudit calls fn for every event matching f (paging ignored),
	// oldest first, streaming.
	ExportAudit(ctx context.Context, f AuditFilter, fn func(*AuditEvent) error) error
	// PurgeAudit deletes events older than before (retention) and returns
	// how many.
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)
}

// ConflictOfInterest is a declared Befangenheit (conflict of interest,
// e.g. § 31 GO NRW) of a person on an agenda item: the person loses access
// to the item's non-public documents, whatever their memberships say.
type ConflictOfInterest struct {
	ID           int64
	PersonID     int64
	AgendaItemID int64
	Note         string
	// RecordedBy is the account that recorded the declaration (0 = system).
	RecordedBy int64
	Created    time.Time
}

// ConflictFilter selects conflict declarations.
type ConflictFilter struct {
	ID           int64
	PersonID     int64
	AgendaItemID int64
	ListOptions
}

// ConflictService records conflicts of interest (Befangenheit). The
// visibility predicates of the stores read the same table.
type ConflictService interface {
	// DeclareConflict stores c (ID, Created set); declaring the same person
	// and item twice is ECONFLICT.
	DeclareConflict(ctx context.Context, c *ConflictOfInterest) error
	FindConflicts(ctx context.Context, f ConflictFilter) ([]*ConflictOfInterest, int, error)
	DeleteConflict(ctx context.Context, id int64) error
}

// RightsCache keeps a viewer's resolved rights for the duration of one
// request, so that a page with many store calls resolves them once. The
// store chooses the key (it includes the data version, which every rights
// write bumps, so a cached entry never outlives a change of rights). Safe
// for concurrent use by the goroutines of one request.
type RightsCache struct {
	mu  sync.Mutex
	key any
	val any
}

// Load returns the value stored under key.
func (c *RightsCache) Load(key any) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.val == nil || c.key != key {
		return nil, false
	}
	return c.val, true
}

// Store keeps val under key, replacing what was there (one entry: a request
// has one viewer).
func (c *RightsCache) Store(key, val any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.val = key, val
}

type rightsCacheKey struct{}

// NewContextWithRightsCache returns ctx with an empty RightsCache; the
// portal adds one per logged-in request.
func NewContextWithRightsCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, rightsCacheKey{}, &RightsCache{})
}

// RightsCacheFromContext returns the request's RightsCache, nil if none.
func RightsCacheFromContext(ctx context.Context) *RightsCache {
	c, _ := ctx.Value(rightsCacheKey{}).(*RightsCache)
	return c
}
