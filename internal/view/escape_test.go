package view

import (
	"bytes"
	"html/template"
	"testing"
)

// WriteText writes what html/template writes for {{.}} in text and in a
// quoted attribute, for every kind of character it treats specially.
func TestWriteTextMatchesHTMLTemplate(t *testing.T) {
	tmpl := template.Must(template.New("t").Parse(`<p title="{{.}}">{{.}}</p>`))
	for _, s := range []string{"", "Əliyev", "<script>alert('x')</script>", `a "b" & c + d`, "nul\x00byte", "broken \xff utf-8",
		"Иванов & сыновья", "محمد <b>", "'single'", "tab\tand\nnewline"} {
		var want, got bytes.Buffer
		if err := tmpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		got.WriteString(`<p title="`)
		WriteText(&got, s)
		got.WriteString(`">`)
		WriteText(&got, s)
		got.WriteString(`</p>`)
		if got.String() != want.String() {
			t.Errorf("%q:\n got %q\nwant %q", s, got.String(), want.String())
		}
	}
}
