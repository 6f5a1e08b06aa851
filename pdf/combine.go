package pdf

// Combine joins documents into one, e.g. a Sitzungsmappe: the invitation
// followed by every paper. Each part starts on a new page under a top-level
// heading (and bookmark) with its title; the part's own headings move one
// level down. Title and Footer of the result are the caller's (Footer is the
// place for the recipient line of a personal copy).
func Combine(title string, parts []Document) Document {
	out := Document{Title: title}
	if len(parts) > 0 {
		out.Author, out.Date, out.Header = parts[0].Author, parts[0].Date, parts[0].Header
	}
	var contents []string
	for _, p := range parts {
		contents = append(contents, p.Title)
	}
	if len(contents) > 0 {
		out.Blocks = append(out.Blocks, Heading{Text: "Inhalt"}, List{Items: contents})
	}
	for _, p := range parts {
		out.Blocks = append(out.Blocks, PageBreak{}, Heading{Text: p.Title})
		if p.Subtitle != "" {
			out.Blocks = append(out.Blocks, Paragraph{Text: p.Subtitle, Italic: true})
		}
		for _, b := range p.Blocks {
			switch h := b.(type) {
			case Heading:
				h.Level++
				b = h
			case Pages:
				h.Level++
				b = h
			}
			out.Blocks = append(out.Blocks, b)
		}
	}
	return out
}
