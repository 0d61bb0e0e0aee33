package fault

import (
	"strings"
	"testing"
)

type sample struct {
	Name        string   `form:"name" validate:"required,dnslabel"`
	Description string   `form:"description" validate:"max=1000"`
	Tags        []string `form:"tags" validate:"max=50,dive,tag"`
	Steps       []struct {
		Script string `form:"script"`
	} `form:"steps"`
}

func TestTextLimitsAndControlCharacters(t *testing.T) {
	check := NewValidator()
	many := make([]string, 51)
	for i := range many {
		many[i] = "team"
	}
	tests := []struct {
		name  string
		in    sample
		field string // "" when valid
		want  string
	}{
		{"plain", sample{Name: "shop", Description: "tabs\tand\nlines\r\n", Tags: []string{"team=pay"}}, "", ""},
		{"NUL in a description", sample{Name: "shop", Description: "a\x00b"}, "description", "U+0000"},
		{"escape in a description", sample{Name: "shop", Description: "\x1b[31mred"}, "description", "U+001B"},
		{"right-to-left override", sample{Name: "shop", Description: "gpj.\u202eexe"}, "description", "U+202E"},
		{"isolate in a tag", sample{Name: "shop", Tags: []string{"ok", "x\u2066y"}}, "tags", "U+2066"},
		{"nested script", sample{Name: "shop", Steps: []struct {
			Script string `form:"script"`
		}{{Script: "echo \x07"}}}, "steps", "U+0007"},
		{"a 1 MB tag", sample{Name: "shop", Tags: []string{strings.Repeat("a", 1<<20)}}, "tags", "too long (at most 128"},
		{"a tag of 128", sample{Name: "shop", Tags: []string{strings.Repeat("a", 128)}}, "", ""},
		{"51 tags", sample{Name: "shop", Tags: many}, "tags", "too many entries (at most 50)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := check.Struct(tt.in)
			if tt.field == "" {
				if len(fe) > 0 {
					t.Fatalf("got %v, want valid", fe)
				}
				return
			}
			if !strings.Contains(fe[tt.field], tt.want) {
				t.Fatalf("got %v, want %q on %s", fe, tt.want, tt.field)
			}
		})
	}
}
