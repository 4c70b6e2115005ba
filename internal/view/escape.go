package view

import (
	"io"
	"strings"
)

// htmlText replaces what html/template replaces in a text node or a quoted
// attribute value of plain text (its htmlEscaper and attrEscaper): the
// five HTML specials, '+' (against UTF-7 sniffing) and NUL.
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// WriteText writes s to w escaped exactly as html/template escapes text
// and quoted attribute values, for the few hot fragments written by hand
// (the check-in desk's scan answer, the invitation list's rows) whose
// tests compare them byte for byte with their templates. w is a buffer
// whose writes do not fail.
func WriteText(w io.Writer, s string) { _, _ = htmlText.WriteString(w, s) }
