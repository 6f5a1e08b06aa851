package web

// Distribution: invitations with Ladungsfrist, the Sitzungsmappe per recipient, the print-and-post list and receipts.

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/ratsnetz/ratsnetz"
	"github.com/ratsnetz/ratsnetz/mappe"
)

// DistributionDeps holds what the distribution area of the portal needs; the zero value
// switches the area off.
type DistributionDeps struct {
	// Dist stores delivery preferences, invitations and receipts.
	Dist ratsnetz.DistributionService
	// Inviter plans and sends invitations; its Builder renders packets.
	Inviter *mappe.Inviter
}

// distributionRoutes registers the distribution area's routes.
func (s *Server) distributionRoutes() {
	d := s.distribution
	if d.Dist == nil || d.Inviter == nil {
		return
	}
	// The public packet: anonymous, cached like every public page.
	s.mux.HandleFunc("GET /sitzungen/{id}/mappe.pdf", s.handlePublicPacket)
	if s.auth == nil {
		return
	}
	s.mux.HandleFunc("GET /mein/zustellung", s.handleDeliveryPrefs)
	s.mux.HandleFunc("POST /mein/zustellung", s.handleDeliveryPrefsSave)
	s.mux.HandleFunc("GET /mein/empfang/{token}", s.handleReceipt)
	s.mux.HandleFunc("GET /mein/sitzungen/{id}/mappe.pdf", s.handleMyPacket)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}/einladung", s.handleInvitation)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/einladung", s.handleInvitationSend)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}/einladung/{inv}/einladung.pdf", s.handleInvitationPDF)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}/druckliste", s.handlePrintList)
	s.mux.HandleFunc("GET /sitzungsdienst/sitzungen/{id}/druckliste/{rid}/mappe.pdf", s.handlePrintPacket)
	s.mux.HandleFunc("POST /sitzungsdienst/sitzungen/{id}/druckliste/{rid}/versendet", s.handlePrintSent)
}

// distributionMessages returns the distribution area's German and English messages.
// (Like the office pages, the working pages keep their German texts in the
// templates; these keys serve links shown elsewhere.)
func distributionMessages() (de, en map[string]string) {
	de = map[string]string{
		"distribution.prefs":  "Zustellung",
		"distribution.packet": "Sitzungsmappe (PDF)",
	}
	en = map[string]string{
		"distribution.prefs":  "Delivery",
		"distribution.packet": "Meeting packet (PDF)",
	}
	return de, en
}

func (s *Server) writePDF(w http.ResponseWriter, name string, data []byte, private bool) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	if private {
		h.Set("Cache-Control", "private, no-store")
	}
	w.Write(data)
}

// handlePublicPacket serves the public Sitzungsmappe: always built as the
// public, whoever asks.
func (s *Server) handlePublicPacket(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	ctx := ratsnetz.NewContextWithViewer(r.Context(), ratsnetz.Viewer{})
	data, err := s.distribution.Inviter.Builder.RenderPacket(ctx, id, "")
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writePDF(w, "sitzungsmappe-"+strconv.FormatInt(id, 10)+".pdf", data, false)
}

// handleMyPacket serves the logged-in member's personal Sitzungsmappe.
func (s *Server) handleMyPacket(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	data, nonPublic, err := s.distribution.Inviter.Builder.RenderPacketInfo(r.Context(), id, accountLabelOrName(c.Account))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if nonPublic {
		s.recordAccess(r, "meeting", id, r.URL.Path+" (Sitzungsmappe mit nichtöffentlichem Teil)")
	}
	s.writePDF(w, "sitzungsmappe-"+strconv.FormatInt(id, 10)+"-persoenlich.pdf", data, true)
}

func accountLabelOrName(a *ratsnetz.Account) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return accountLabel(a)
}

type deliveryData struct {
	Prefs   *ratsnetz.DeliveryPrefs
	Options []deliveryOption
	Error   string
	Info    string
}

type deliveryOption struct {
	Value, Label string
	Checked      bool
}

func deliveryOptions(current string) []deliveryOption {
	var out []deliveryOption
	for _, c := range []string{ratsnetz.ChannelApp, ratsnetz.ChannelEmail, ratsnetz.ChannelPost} {
		out = append(out, deliveryOption{Value: c, Label: ratsnetz.ChannelLabel(c), Checked: c == current})
	}
	return out
}

func (s *Server) handleDeliveryPrefs(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	if c.Account.PersonID == 0 {
		s.renderMessage(w, r, http.StatusForbidden, "Zustellung", "Den Zustellweg legen Mitglieder von Gremien fest; Ihr Konto ist keiner Person zugeordnet.")
		return
	}
	p, err := s.distribution.Dist.FindDeliveryPrefs(r.Context(), c.Account.PersonID)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	info := ""
	if r.URL.Query().Get("ok") == "1" {
		info = "Ihr Zustellweg ist gespeichert."
	}
	s.renderForm(w, r, http.StatusOK, "distribution_prefs", "Zustellung der Einladungen", deliveryData{Prefs: p, Options: deliveryOptions(p.Channel), Info: info})
}

func (s *Server) handleDeliveryPrefsSave(w http.ResponseWriter, r *http.Request) {
	c := s.requireLogin(w, r)
	if c == nil {
		return
	}
	p := &ratsnetz.DeliveryPrefs{PersonID: c.Account.PersonID, Channel: r.PostFormValue("weg"),
		Email: r.PostFormValue("email"), PostalAddress: r.PostFormValue("anschrift"), ElectronicConsent: r.PostFormValue("einwilligung") == "ja"}
	if err := s.distribution.Dist.SaveDeliveryPrefs(r.Context(), p); err != nil {
		if formErr(err) {
			// The rejected form keeps what was entered.
			s.renderForm(w, r, http.StatusBadRequest, "distribution_prefs", "Zustellung der Einladungen",
				deliveryData{Prefs: p, Options: deliveryOptions(p.Channel), Error: ratsnetz.ErrorMessage(err)})
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/mein/zustellung?ok=1")
}

type receiptData struct {
	MeetingID int64
	Opened    string
}

// handleReceipt confirms receipt through the personal link (no login
// needed: the token is the proof) and leads to the documents.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if len(token) < 16 || len(token) > 100 {
		s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "err.badID"))
		return
	}
	rc, err := s.distribution.Dist.OpenReceipt(r.Context(), mappe.HashToken(token), s.now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := s.formatter(r.Context())
	s.renderForm(w, r, http.StatusOK, "distribution_receipt", "Empfang bestätigt", receiptData{MeetingID: rc.MeetingID, Opened: f.DateTime(rc.Opened)})
}

type invitationData struct {
	Plan     *mappe.Plan
	Planned  []recipientRow
	Meeting  *ratsnetz.Meeting
	Title    string
	When     string
	Deadline string
	Reason   string
	Error    string
	Info     string
	Previous []invitationRow
}

type invitationRow struct {
	ID          int64
	Kind        string
	Created     string
	DeadlineMet bool
	Reason      string
	Changes     []string
	Recipients  []recipientRow
}

type recipientRow struct {
	ID      int64
	Name    string
	Role    string
	Channel string
	Address string
	Sent    string
	Opened  string
	Packet  string
}

func (s *Server) recipientRows(ctx context.Context, rs []*ratsnetz.InvitationRecipient) []recipientRow {
	f := s.formatter(ctx)
	var out []recipientRow
	for _, r := range rs {
		addr := r.Email
		if r.Channel == ratsnetz.ChannelPost {
			addr = strings.ReplaceAll(r.PostalAddress, "\n", ", ")
			if addr == "" {
				addr = "Anschrift fehlt"
			}
		}
		out = append(out, recipientRow{ID: r.ID, Name: r.Name, Role: r.Role, Channel: ratsnetz.ChannelLabel(r.Channel), Address: addr,
			Sent: f.DateTime(r.Sent), Opened: f.DateTime(r.Opened), Packet: f.DateTime(r.PacketSent)})
	}
	return out
}

func (s *Server) renderInvitation(w http.ResponseWriter, r *http.Request, status int, id int64, reason, errText string) {
	ctx := r.Context()
	p, err := s.distribution.Inviter.Plan(ctx, id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	f := s.formatter(ctx)
	d := invitationData{Plan: p, Meeting: p.Meeting.Meeting, Title: p.Meeting.Title(), When: s.distribution.Inviter.Builder.When(p.Meeting.Meeting),
		Deadline: f.DateTime(p.Deadline), Reason: reason, Error: errText, Planned: s.recipientRows(ctx, p.Recipients)}
	if r.URL.Query().Get("ok") == "1" {
		d.Info = "Die Einladung ist gespeichert; die Benachrichtigungen werden jetzt versandt."
	}
	for _, inv := range p.Previous {
		d.Previous = append(d.Previous, invitationRow{ID: inv.ID, Kind: inv.Kind, Created: f.DateTime(inv.Created), DeadlineMet: inv.DeadlineMet,
			Reason: inv.Reason, Changes: inv.Changes, Recipients: s.recipientRows(ctx, inv.Recipients)})
	}
	s.renderForm(w, r, status, "distribution_invitation", p.Kind+": "+d.Title, d)
}

func (s *Server) handleInvitation(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.renderInvitation(w, r, http.StatusOK, id, "", "")
}

func (s *Server) handleInvitationSend(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	reason := r.PostFormValue("begruendung")
	if _, _, err := s.distribution.Inviter.Invite(r.Context(), id, reason); err != nil {
		if formErr(err) {
			s.renderInvitation(w, r, http.StatusBadRequest, id, reason, ratsnetz.ErrorMessage(err))
			return
		}
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/sitzungen/"+strconv.FormatInt(id, 10)+"/einladung?ok=1")
}

func (s *Server) handleInvitationPDF(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	invID, err := pathID(r, "inv")
	if err != nil {
		s.error(w, r, err)
		return
	}
	invs, err := s.distribution.Dist.FindInvitations(r.Context(), id)
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	for _, inv := range invs {
		if inv.ID == invID {
			s.writePDF(w, "einladung-"+strconv.FormatInt(invID, 10)+".pdf", inv.PDF, true)
			return
		}
	}
	s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "err.badID"))
}

type printListData struct {
	MeetingID int64
	Rows      []recipientRow
	Info      string
}

func (s *Server) handlePrintList(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	rs, err := s.distribution.Dist.FindRecipients(r.Context(), ratsnetz.RecipientFilter{MeetingID: id, Channel: ratsnetz.ChannelPost})
	if err != nil {
		s.officeFail(w, r, err)
		return
	}
	d := printListData{MeetingID: id, Rows: s.recipientRows(r.Context(), rs)}
	if r.URL.Query().Get("ok") == "1" {
		d.Info = "Als versendet vermerkt."
	}
	s.renderForm(w, r, http.StatusOK, "distribution_print", "Druck und Versand per Post", d)
}

// printRecipient finds a recipient of the meeting through the office's
// own right to the print list.
func (s *Server) printRecipient(w http.ResponseWriter, r *http.Request) (*ratsnetz.InvitationRecipient, bool) {
	if s.requireLogin(w, r) == nil {
		return nil, false
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	rs, err := s.distribution.Dist.FindRecipients(r.Context(), ratsnetz.RecipientFilter{MeetingID: id, Channel: ratsnetz.ChannelPost})
	if err != nil {
		s.officeFail(w, r, err)
		return nil, false
	}
	for _, rc := range rs {
		if rc.ID == rid {
			return rc, true
		}
	}
	s.error(w, r, ratsnetz.Errorf(ratsnetz.ENOTFOUND, "err.badID"))
	return nil, false
}

// handlePrintPacket renders the packet of a paper recipient with the
// recipient's own rights (their account; the public's if they have none).
func (s *Server) handlePrintPacket(w http.ResponseWriter, r *http.Request) {
	rc, ok := s.printRecipient(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	acct, err := s.distribution.Dist.AccountOfPerson(ratsnetz.SystemContext(ctx), rc.PersonID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	viewer := ratsnetz.Viewer{AccountID: acct, PersonID: rc.PersonID}
	if acct == 0 {
		viewer = ratsnetz.Viewer{}
	}
	data, nonPublic, err := s.distribution.Inviter.Builder.RenderPacketInfo(ratsnetz.NewContextWithViewer(ctx, viewer), rc.MeetingID, rc.Name)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if nonPublic {
		s.recordAccess(r, "meeting", rc.MeetingID, r.URL.Path+" (Druckexemplar für "+rc.Name+" mit nichtöffentlichem Teil)")
	}
	s.writePDF(w, "sitzungsmappe-"+strconv.FormatInt(rc.MeetingID, 10)+"-"+strconv.FormatInt(rc.ID, 10)+".pdf", data, true)
}

func (s *Server) handlePrintSent(w http.ResponseWriter, r *http.Request) {
	rc, ok := s.printRecipient(w, r)
	if !ok {
		return
	}
	if err := s.distribution.Dist.MarkPacketSent(r.Context(), rc.ID, s.now()); err != nil {
		s.officeFail(w, r, err)
		return
	}
	seeOther(w, r, "/sitzungsdienst/sitzungen/"+strconv.FormatInt(rc.MeetingID, 10)+"/druckliste?ok=1")
}
