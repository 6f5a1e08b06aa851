package web

import (
	"html/template"
	"io"
	"strconv"
	"strings"
	"text/template/parse"
)

// Translations are resolved when the templates are parsed, once per
// language, instead of on every execution: html/template reaches a method
// such as $p.T by name through reflection on each call, which made the
// catalogue lookups a large part of a page's rendering cost.
//
// foldTranslations rewrites every call of a method T with a constant key
// found in cat — {{.T "k"}}, {{$p.T "k"}}, {{$.T "k"}}, {{.P.T "k"}} — into
// the constant message ("k" → "Datum"), and a call with arguments
// ({{$p.T "pager.page" .Page}}) into printf with the constant message, which
// is what catalog.T does. Calls with a computed key ({{$p.T .Label}}) and
// keys missing from the catalogue (shown as the key, and caught by
// TestCatalogsComplete) stay calls of T. It must run before the templates
// are escaped (first executed).
func foldTranslations(t *template.Template, cat *catalog) {
	for _, x := range t.Templates() {
		if x.Tree != nil && x.Tree.Root != nil {
			foldNode(x.Tree, x.Tree.Root, cat)
		}
	}
}

func foldNode(tr *parse.Tree, n parse.Node, cat *catalog) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			foldNode(tr, c, cat)
		}
	case *parse.ActionNode:
		foldNode(tr, n.Pipe, cat)
	case *parse.IfNode:
		foldBranch(tr, &n.BranchNode, cat)
	case *parse.RangeNode:
		foldBranch(tr, &n.BranchNode, cat)
	case *parse.WithNode:
		foldBranch(tr, &n.BranchNode, cat)
	case *parse.TemplateNode:
		foldNode(tr, n.Pipe, cat)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			foldCommand(tr, c, cat)
		}
	case *parse.ChainNode:
		foldNode(tr, n.Node, cat)
	}
}

func foldBranch(tr *parse.Tree, b *parse.BranchNode, cat *catalog) {
	foldNode(tr, b.Pipe, cat)
	foldNode(tr, b.List, cat)
	foldNode(tr, b.ElseList, cat)
}

func foldCommand(tr *parse.Tree, c *parse.CommandNode, cat *catalog) {
	for _, a := range c.Args {
		foldNode(tr, a, cat) // parenthesised pipelines: ($p.T "k")
	}
	if len(c.Args) < 2 || !isTMethod(c.Args[0]) {
		return
	}
	key, ok := c.Args[1].(*parse.StringNode)
	if !ok {
		return
	}
	msg, ok := cat.msgs[key.Text]
	if !ok {
		return
	}
	s := &parse.StringNode{NodeType: parse.NodeString, Pos: key.Pos, Quoted: strconv.Quote(msg), Text: msg}
	if len(c.Args) == 2 {
		c.Args = []parse.Node{s}
		return
	}
	printf := parse.NewIdentifier("printf").SetTree(tr).SetPos(c.Args[0].Position())
	c.Args = append([]parse.Node{printf, s}, c.Args[2:]...)
}

// isTMethod reports whether n names a method T: .T, $p.T, $.T, .P.T.
func isTMethod(n parse.Node) bool {
	var ident []string
	switch n := n.(type) {
	case *parse.FieldNode:
		ident = n.Ident
	case *parse.VariableNode:
		ident = n.Ident
		if len(ident) < 2 {
			return false // a variable named $T, not a method
		}
	default:
		return false
	}
	return len(ident) > 0 && ident[len(ident)-1] == "T"
}

// foldConstants runs after html/template has escaped t: every action that
// only prints a constant string through one HTML escaper becomes the escaped
// text itself, and neighbouring text nodes are merged, so that an executed
// page walks fewer nodes and calls no escaper for fixed text. esc gives the
// escaped form of a string for the escapers it knows.
func foldConstants(t *template.Template, esc map[string]func(string) string) {
	for _, x := range t.Templates() {
		if x.Tree != nil && x.Tree.Root != nil {
			foldConstList(x.Tree, x.Tree.Root, esc)
		}
	}
}

func foldConstList(tr *parse.Tree, l *parse.ListNode, esc map[string]func(string) string) {
	if l == nil {
		return
	}
	out := l.Nodes[:0]
	for _, n := range l.Nodes {
		switch x := n.(type) {
		case *parse.ActionNode:
			if text, ok := constantAction(x, esc); ok {
				n = &parse.TextNode{NodeType: parse.NodeText, Pos: x.Pos, Text: []byte(text)}
			}
		case *parse.IfNode:
			foldConstList(tr, x.List, esc)
			foldConstList(tr, x.ElseList, esc)
		case *parse.RangeNode:
			foldConstList(tr, x.List, esc)
			foldConstList(tr, x.ElseList, esc)
		case *parse.WithNode:
			foldConstList(tr, x.List, esc)
			foldConstList(tr, x.ElseList, esc)
		case *parse.ListNode:
			foldConstList(tr, x, esc)
		}
		if txt, ok := n.(*parse.TextNode); ok && len(out) > 0 {
			if prev, ok := out[len(out)-1].(*parse.TextNode); ok {
				out[len(out)-1] = &parse.TextNode{NodeType: parse.NodeText, Pos: prev.Pos, Text: append(append([]byte{}, prev.Text...), txt.Text...)}
				continue
			}
		}
		out = append(out, n)
	}
	clear(l.Nodes[len(out):])
	l.Nodes = out
}

// constantAction returns the output of {{"const" | escaper}}.
func constantAction(a *parse.ActionNode, esc map[string]func(string) string) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) != 2 {
		return "", false
	}
	if len(p.Cmds[0].Args) != 1 || len(p.Cmds[1].Args) != 1 {
		return "", false
	}
	s, ok := p.Cmds[0].Args[0].(*parse.StringNode)
	if !ok {
		return "", false
	}
	id, ok := p.Cmds[1].Args[0].(*parse.IdentifierNode)
	if !ok {
		return "", false
	}
	f, ok := esc[id.Ident]
	if !ok {
		return "", false
	}
	return f(s.Text), true
}

// htmlEscapers computes, with html/template itself, what its escapers for
// HTML text, quoted attribute values and RCDATA (<title>) make of a string:
// the folded text is exactly what the escaper would have written.
func htmlEscapers() map[string]func(string) string {
	wrap := func(src, before, after string) func(string) string {
		t := template.Must(template.New("").Parse(src))
		return func(s string) string {
			var b strings.Builder
			if err := t.Execute(&b, s); err != nil {
				panic(err)
			}
			out := b.String()
			return out[len(before) : len(out)-len(after)]
		}
	}
	return map[string]func(string) string{
		"_html_template_htmlescaper":   wrap(`{{.}}`, ``, ``),
		"_html_template_attrescaper":   wrap(`<a title="{{.}}">`, `<a title="`, `">`),
		"_html_template_rcdataescaper": wrap(`<title>{{.}}</title>`, `<title>`, `</title>`),
	}
}

// escapeNow makes html/template escape t and every template it calls,
// which it otherwise does on the first execution: it executes t without data
// into nothing and ignores the error that follows the escaping.
func escapeNow(t *template.Template, name string) {
	_ = t.ExecuteTemplate(io.Discard, name, nil)
}

// Escaper chains. html/template ends every printing action with one to
// three escaper functions chosen by context, each called through
// reflection with a variadic argument list. mergeEscapers replaces the
// chains below with one function each that computes the same output: fast
// for the values pages print most (strings in text and quoted attributes,
// integers anywhere), and for every other value by executing a small
// template in which html/template itself chose the same chain.
type escaperChain struct {
	name    string // function name in the templates
	chain   string // the escapers, space-separated, without the _html_template_ prefix
	src     string // a template whose one action gets exactly this chain
	strings bool   // strings take the fast path (HTML text and quoted attributes)
}

var escaperChains = []escaperChain{
	{"rnEscText", "htmlescaper", `{{.}}`, true},
	{"rnEscAttr", "attrescaper", `<a title="{{.}}">`, true},
	{"rnEscRCDATA", "rcdataescaper", `<title>{{.}}</title>`, true},
	{"rnEscURL", "urlfilter urlnormalizer attrescaper", `<a href="{{.}}">`, false},
	{"rnEscURLPart", "urlnormalizer attrescaper", `<a href="/{{.}}">`, false},
	{"rnEscURLQuery", "urlescaper attrescaper", `<a href="/?q={{.}}">`, false},
}

// escaperFuncs returns the merged escaper functions by their template name
// and, for mergeEscapers, the chain each replaces. A chain whose probe
// template does not get exactly that chain from html/template (another Go
// version) is left out: its actions keep the original escapers.
func escaperFuncs() (template.FuncMap, map[string]string) {
	funcs := template.FuncMap{}
	names := map[string]string{}
	for _, c := range escaperChains {
		probe := template.Must(template.New("").Parse(c.src))
		escapeNow(probe, "")
		if got := actionChain(probe); got != c.chain {
			continue
		}
		exact := func(v any) string {
			var b strings.Builder
			if err := probe.Execute(&b, v); err != nil {
				panic(err) // cannot happen: the probe prints dot
			}
			before, after, _ := strings.Cut(c.src, "{{.}}")
			out := b.String()
			return out[len(before) : len(out)-len(after)]
		}
		fastStrings := c.strings
		funcs[c.name] = func(v any) string {
			switch v := v.(type) {
			case string:
				if fastStrings {
					return escapeHTMLText(v)
				}
			case int:
				return strconv.Itoa(v)
			case int64:
				return strconv.FormatInt(v, 10)
			}
			return exact(v)
		}
		names[c.chain] = c.name
	}
	return funcs, names
}

// actionChain is the escaper chain of the first printing action of t.
func actionChain(t *template.Template) string {
	for _, n := range t.Tree.Root.Nodes {
		if a, ok := n.(*parse.ActionNode); ok {
			chain, _ := escaperSuffix(a.Pipe)
			return chain
		}
	}
	return ""
}

// escaperSuffix returns the html/template escapers at the end of p
// (space-separated, without prefix) and the index of the first of them.
func escaperSuffix(p *parse.PipeNode) (string, int) {
	i := len(p.Cmds)
	for i > 0 {
		c := p.Cmds[i-1]
		if len(c.Args) != 1 {
			break
		}
		id, ok := c.Args[0].(*parse.IdentifierNode)
		if !ok || !strings.HasPrefix(id.Ident, "_html_template_") {
			break
		}
		i--
	}
	var names []string
	for _, c := range p.Cmds[i:] {
		names = append(names, strings.TrimPrefix(c.Args[0].(*parse.IdentifierNode).Ident, "_html_template_"))
	}
	return strings.Join(names, " "), i
}

// mergeEscapers replaces, in every escaped template of t, the escaper
// chains named in names by their merged function.
func mergeEscapers(t *template.Template, names map[string]string) {
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 {
				return
			}
			chain, i := escaperSuffix(n.Pipe)
			if name, ok := names[chain]; ok && i > 0 {
				first := n.Pipe.Cmds[i]
				id := parse.NewIdentifier(name).SetPos(first.Pos)
				n.Pipe.Cmds = append(n.Pipe.Cmds[:i], &parse.CommandNode{NodeType: parse.NodeCommand, Pos: first.Pos, Args: []parse.Node{id}})
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, x := range t.Templates() {
		if x.Tree != nil {
			walk(x.Tree.Root)
		}
	}
}

// escapeHTMLText is html/template's escaping of a plain string in HTML text,
// a quoted attribute value or RCDATA: the same seven ASCII characters
// replaced, everything else (other UTF-8, invalid bytes) kept.
func escapeHTMLText(s string) string {
	i := strings.IndexAny(s, "\x00\"&'+<>")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for ; i >= 0; i = strings.IndexAny(s, "\x00\"&'+<>") {
		b.WriteString(s[:i])
		switch s[i] {
		case 0:
			b.WriteString("\uFFFD")
		case '"':
			b.WriteString("&#34;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '+':
			b.WriteString("&#43;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		}
		s = s[i+1:]
	}
	b.WriteString(s)
	return b.String()
}
