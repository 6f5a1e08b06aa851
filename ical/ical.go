// Package ical writes iCalendar (RFC 5545) calendars: the public meeting
// calendars of the portal and the members' personal calendar feeds. It only
// writes; what goes into a calendar (and so who may see what) is decided by
// the caller through the store.
//
// Output follows RFC 5545: CRLF line ends, content lines folded at 75 octets
// without splitting a UTF-8 sequence, TEXT values escaped (backslash,
// semicolon, comma, line break), DTSTAMP in UTC, local times with
// TZID=Europe/Berlin and a matching VTIMEZONE.
package ical

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// TZID is the time zone all local times are written in.
const TZID = "Europe/Berlin"

// vtimezone describes Europe/Berlin since 1996 (EU summer time rules).
const vtimezone = "BEGIN:VTIMEZONE\r\n" +
	"TZID:Europe/Berlin\r\n" +
	"X-LIC-LOCATION:Europe/Berlin\r\n" +
	"BEGIN:DAYLIGHT\r\n" +
	"TZOFFSETFROM:+0100\r\n" +
	"TZOFFSETTO:+0200\r\n" +
	"TZNAME:CEST\r\n" +
	"DTSTART:19700329T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" +
	"END:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\n" +
	"TZOFFSETFROM:+0200\r\n" +
	"TZOFFSETTO:+0100\r\n" +
	"TZNAME:CET\r\n" +
	"DTSTART:19701025T030000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
	"END:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

// Event statuses.
const (
	StatusConfirmed = "CONFIRMED"
	StatusCancelled = "CANCELLED"
	StatusTentative = "TENTATIVE"
)

// Calendar is a VCALENDAR with events.
type Calendar struct {
	// ProdID identifies the product, e.g. "-//Ratsnetz//Ratsnetz 0.1//DE".
	ProdID string
	// Name is the calendar's display name (X-WR-CALNAME, NAME of RFC 7986).
	Name string
	// Description is shown by some clients (X-WR-CALDESC).
	Description string
	// RefreshInterval is how often clients should reload (REFRESH-INTERVAL,
	// RFC 7986); zero leaves it out.
	RefreshInterval time.Duration
	// Location is Europe/Berlin; nil loads it from the time zone database.
	Location *time.Location
	Events   []Event
}

// Event is a VEVENT.
type Event struct {
	// UID is stable across feed reloads, e.g. "sitzung-42@rat.example.de".
	UID string
	// Stamp is DTSTAMP: when the event's data last changed.
	Stamp time.Time
	// Start is required; End may be zero (an event without duration).
	Start, End  time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	Status      string
	// Class is PUBLIC, PRIVATE or CONFIDENTIAL ("" leaves it out).
	Class      string
	Categories []string
	// Sequence is the revision number (SEQUENCE), 0 for the first.
	Sequence int
	// LastModified is LAST-MODIFIED, zero leaves it out.
	LastModified time.Time
}

// Encode writes c to w.
func (c *Calendar) Encode(w io.Writer) error {
	loc := c.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation(TZID); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	e := encoder{w: bw}
	e.line("BEGIN", "VCALENDAR")
	e.line("VERSION", "2.0")
	e.line("PRODID", c.ProdID)
	e.line("CALSCALE", "GREGORIAN")
	e.line("METHOD", "PUBLISH")
	if c.Name != "" {
		e.line("X-WR-CALNAME", Escape(c.Name))
		e.line("NAME", Escape(c.Name))
	}
	if c.Description != "" {
		e.line("X-WR-CALDESC", Escape(c.Description))
	}
	e.line("X-WR-TIMEZONE", TZID)
	if c.RefreshInterval > 0 {
		e.line("REFRESH-INTERVAL;VALUE=DURATION", duration(c.RefreshInterval))
		e.line("X-PUBLISHED-TTL", duration(c.RefreshInterval))
	}
	bw.WriteString(vtimezone)
	for i := range c.Events {
		e.event(&c.Events[i], loc)
	}
	e.line("END", "VCALENDAR")
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

type encoder struct {
	w   *bufio.Writer
	err error
}

func (e *encoder) event(ev *Event, loc *time.Location) {
	e.line("BEGIN", "VEVENT")
	e.line("UID", ev.UID)
	stamp := ev.Stamp
	if stamp.IsZero() {
		stamp = ev.Start
	}
	e.line("DTSTAMP", utc(stamp))
	e.line("DTSTART;TZID="+TZID, local(ev.Start, loc))
	if !ev.End.IsZero() && ev.End.After(ev.Start) {
		e.line("DTEND;TZID="+TZID, local(ev.End, loc))
	}
	if ev.Sequence > 0 {
		e.line("SEQUENCE", itoa(ev.Sequence))
	}
	if !ev.LastModified.IsZero() {
		e.line("LAST-MODIFIED", utc(ev.LastModified))
	}
	e.line("SUMMARY", Escape(ev.Summary))
	if ev.Description != "" {
		e.line("DESCRIPTION", Escape(ev.Description))
	}
	if ev.Location != "" {
		e.line("LOCATION", Escape(ev.Location))
	}
	if ev.URL != "" {
		e.line("URL;VALUE=URI", ev.URL)
	}
	if ev.Status != "" {
		e.line("STATUS", ev.Status)
	}
	if ev.Class != "" {
		e.line("CLASS", ev.Class)
	}
	if len(ev.Categories) > 0 {
		cats := make([]string, len(ev.Categories))
		for i, c := range ev.Categories {
			cats[i] = Escape(c)
		}
		e.line("CATEGORIES", strings.Join(cats, ","))
	}
	e.line("TRANSP", "OPAQUE")
	e.line("END", "VEVENT")
}

// line writes "name:value" folded to lines of at most 75 octets: a fold is
// CRLF followed by one space, never inside a UTF-8 sequence. Control
// characters other than the escaped line breaks are dropped.
func (e *encoder) line(name, value string) {
	if e.err != nil {
		return
	}
	n := e.fold(name, 0)
	n = e.fold(":", n)
	e.fold(value, n)
	_, e.err = e.w.WriteString("\r\n")
}

// fold writes s on the current line, which has n octets already, and
// returns the new length. Runs of plain bytes are written at once.
func (e *encoder) fold(s string, n int) int {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && n < 75 {
			i++
			n++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' || r == 0x7f {
			// Invalid UTF-8 and control characters are not allowed.
			e.w.WriteString(s[start:i])
			i += size
			start = i
			continue
		}
		if n+size > 75 {
			e.w.WriteString(s[start:i])
			e.w.WriteString("\r\n ")
			start = i
			n = 1
		}
		n += size
		i += size
	}
	e.w.WriteString(s[start:])
	return n
}

// Escape escapes a TEXT value (RFC 5545 §3.3.11).
func Escape(s string) string {
	if !strings.ContainsAny(s, "\\;,\n\r") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func local(t time.Time, loc *time.Location) string { return t.In(loc).Format("20060102T150405") }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// duration formats d as an RFC 5545 DURATION (whole minutes, at least one).
func duration(d time.Duration) string {
	m := int(d / time.Minute)
	if m < 1 {
		m = 1
	}
	if m%(24*60) == 0 {
		return "P" + itoa(m/(24*60)) + "D"
	}
	if m%60 == 0 {
		return "PT" + itoa(m/60) + "H"
	}
	return "PT" + itoa(m) + "M"
}
