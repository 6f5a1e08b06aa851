package e2e

import "fmt"

// pageCase is one page of the portal that a test visits.
type pageCase struct {
	name string
	path string
}

// mainPages are the portal's main page types, one of each, with IDs from the
// demo data.
func mainPages(fx *fixtures) []pageCase {
	v := fx.Vote
	return []pageCase{
		{"Startseite", "/"},
		{"Sitzungen", "/sitzungen"},
		{"Sitzung", fmt.Sprintf("/sitzungen/%d", v.Meeting.ID)},
		{"Tagesordnungspunkt", fmt.Sprintf("/sitzungen/%d/top/%d", v.Meeting.ID, v.Item.ID)},
		{"Vorlagen", "/vorlagen"},
		{"Vorlagen gefiltert", "/vorlagen?" + fx.PaperFilter},
		{"Vorlage", fmt.Sprintf("/vorlagen/%d", v.Paper.ID)},
		{"Gremien", "/gremien"},
		{"Gremium", fmt.Sprintf("/gremien/%d", fx.Organization.ID)},
		{"Personen", "/personen"},
		{"Person", fmt.Sprintf("/personen/%d", fx.Person.ID)},
	}
}

// printPages are the print views.
func printPages(fx *fixtures) []pageCase {
	v := fx.Vote
	return []pageCase{
		{"Sitzung Druckansicht", fmt.Sprintf("/sitzungen/%d/druck", v.Meeting.ID)},
		{"Vorlage Druckansicht", fmt.Sprintf("/vorlagen/%d/druck", v.Paper.ID)},
	}
}

// missingPaper is a paper URL that exists for nobody.
const missingPaper = "/vorlagen/2147483647"
