// Package ratsnetz is the domain of Ratsnetz, a council information system
// (Ratsinformationssystem) for German municipalities and their companies.
//
// The package holds the domain types, the service interfaces that adapters
// implement (sqlstore, blob, web, oparl, …), the domain error type and the
// viewer that travels in the request context. It imports only the standard
// library and does no I/O.
//
// Glossary (English identifier = German council term):
//
//	Body            Körperschaft (the city, a municipal company)
//	LegislativeTerm Wahlperiode
//	Organization    Gremium, Fraktion, Partei, Verwaltungseinheit (Amt/Dezernat)
//	Person          Person (Ratsmitglied, sachkundige/r Bürger/in, Mitarbeitende)
//	Membership      Mitgliedschaft (role, voting right, on behalf of a Fraktion)
//	Meeting         Sitzung
//	AgendaItem      Tagesordnungspunkt (TOP)
//	Paper           Vorlage / Drucksache (Beschlussvorlage, Antrag, Anfrage, …)
//	Consultation    Beratung; the ordered set of them is the Beratungsfolge
//	File            Datei / Anlage
//	Location        Ort
//	VoteResult      Abstimmungsergebnis (Ja/Nein/Enthaltung, per Fraktion)
//	Minutes         Niederschrift
package ratsnetz

import (
	"errors"
	"fmt"
)

// Error codes. They are few on purpose: each maps to exactly one HTTP status.
const (
	EINVALID   = "invalid"   // bad input by the caller (400)
	ENOTFOUND  = "not_found" // does not exist or must not be seen (404)
	EFORBIDDEN = "forbidden" // caller is known but lacks the right (403)
	ECONFLICT  = "conflict"  // state does not allow the change (409)
	EINTERNAL  = "internal"  // everything else; details are logged, never shown (500)
)

// Error is the domain error. Message is safe to show to users.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("ratsnetz error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds a domain error with a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the domain error inside err, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic text so that details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Interner Fehler."
}
