package views

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "—"},
		{30 * time.Second, "30 s"},
		{5 * time.Minute, "5 min"},
		{30 * time.Minute, "30 min"},
		{time.Hour, "1 h"},
		{90 * time.Minute, "1.5 h"},
		{24 * time.Hour, "24 h"},
		{72 * time.Hour, "3 days"},
		{60 * time.Hour, "2.5 days"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}
