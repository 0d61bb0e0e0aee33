package runner

import (
	"strings"
	"testing"
)

// TestLabelValue: label values Ladder puts on Argo workflows are valid Kubernetes label
// values whatever the names hold.
func TestLabelValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"shop", "shop"},
		{"shop web/eu", "shop-web-eu"},
		{"-édition_", "dition"},
		{strings.Repeat("a", 70), strings.Repeat("a", 63)},
		{strings.Repeat("a", 62) + "-b", strings.Repeat("a", 62)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := labelValue(tt.in); got != tt.want {
				t.Errorf("labelValue(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestArgoOutputs: output parameter names become parameter names, keeping their case.
func TestArgoOutputs(t *testing.T) {
	got := argoOutputs(map[string]string{"report-url": "u", "COUNT": "3", "9lives": "x", "a.b": "y"})
	want := map[string]string{"report_url": "u", "COUNT": "3", "a_b": "y"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("got %s=%q, want %q", k, got[k], v)
		}
	}
}
