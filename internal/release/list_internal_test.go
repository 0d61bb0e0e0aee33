package release

import (
	"slices"
	"testing"
)

// TestEnvironmentStatusesAreReadInPositionOrder: the list query's "position:name:status"
// items come back in position order whatever order SQLite gave them, and a malformed item is
// an error rather than a wrong list.
func TestEnvironmentStatusesAreReadInPositionOrder(t *testing.T) {
	got, err := environmentStatuses("2:prod:PENDING,0:dev:SUCCEEDED,1:staging:RUNNING")
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvironmentStatus{{0, "dev", Succeeded}, {1, "staging", Running}, {2, "prod", Pending}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got, err := environmentStatuses(""); err != nil || len(got) != 0 {
		t.Errorf("no environments: got %v, %v", got, err)
	}
	if _, err := environmentStatuses("dev:SUCCEEDED"); err == nil {
		t.Errorf("an item without its position was read")
	}
}
