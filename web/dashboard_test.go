package web

import "testing"

func TestNewerVersion(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"1.3.1", "1.3.0", true},
		{"1.3.0", "1.3.1", false},
		{"1.10.0", "1.9.2", true},
		{"v2.0", "1.9", true},
		{"1.3.1", "1.3.1", false},
		{"", "1.0", false},
		{"1.0", "", true},
		{"2.0.0-rc1", "1.9.9", true},
		{"abc123", "def456", true}, // not numbers: any other version counts as newer
	} {
		if got := newer(c.a, c.b); got != c.want {
			t.Errorf("newer(%q, %q): got %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
