package delegation

import (
	"strings"
	"testing"
)

func TestSearchFolding(t *testing.T) {
	cases := []struct {
		stored, typed string
		match         bool
	}{
		{"Əliyev", "aliyev", true},
		{"Əliyev", "ALIYEV", true},
		{"Əliyev", "Əli", true},
		{"Məmmədov", "memmedov", true},
		{"Məmmədov", "mammadov", true},
		{"Şahin", "sahin", true},
		{"Şahin", "Şahin", true},
		{"İsmayıl", "ismayil", true},
		{"İSMAYIL", "ismayıl", true},
		{"Ağayev", "agayev", true},
		{"Çələbi", "celebi", true},
		{"Gülər Öztürk", "guler ozturk", true},
		{"François Lefèvre", "francois lefevre", true},
		{"Иванов Сергей", "ivanov", true},
		{"Иванов Сергей", "Иванов", true},
		{"Юлия Щербакова", "yuliya shcherbakova", true},
		{"محمد العلي", "العلي", true},
		{"王伟", "王", true},
		{"Əliyev", "aliev", false},
		{"Şahin", "shahin", false},
	}
	for _, c := range cases {
		got := strings.Contains(SearchText(c.stored), Fold(c.typed))
		if got != c.match {
			t.Errorf("%q typed %q: match %v, want %v (stored %q, query %q)", c.stored, c.typed, got, c.match, SearchText(c.stored), Fold(c.typed))
		}
	}
}

func TestFoldKeepsFieldsApart(t *testing.T) {
	s := SearchText("Anna", "Smith")
	if strings.Contains(s, Fold("anna smith")) {
		t.Errorf("a query matched across two fields: %q", s)
	}
	if Fold("  Ali   Həsənov ") != "ali hasanov" {
		t.Errorf("Fold collapses spaces: %q", Fold("  Ali   Həsənov "))
	}
}
