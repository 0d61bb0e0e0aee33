package gitops

import "testing"

func TestJSONPathHint(t *testing.T) {
	tests := []struct{ query, want string }{
		{"image.tag", "did you mean $.image.tag?"},
		{".image.tag", "did you mean $.image.tag?"},
		{"$image.tag", "did you mean $.image.tag?"},
		{"['app-version']", "did you mean $['app-version']?"},
		{"deps[*].version", "did you mean $.deps[*].version?"},
		{"$.image.tag", ""},
		{"$..image", ""},
		{"$['a']", ""},
		{"", ""},
		{"image tag", ""},
	}
	for _, tt := range tests {
		if got := JSONPathHint(tt.query); got != tt.want {
			t.Errorf("JSONPathHint(%q): got %q, want %q", tt.query, got, tt.want)
		}
	}
}
