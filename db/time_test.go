package db_test

import (
	"testing"
	"time"

	"ladder/db"
)

func TestParseTimeReadsWhatIsStored(t *testing.T) {
	want := time.Date(2026, 12, 2, 14, 10, 15, 17018500, time.UTC)
	for _, s := range []string{"2026-12-02 14:10:15.0170185+00:00", "2026-12-02 15:10:15.0170185+01:00", "2026-12-02T14:10:15.0170185Z"} {
		if got, err := db.ParseTime(s); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v in UTC", s, got, err, want)
		}
	}
	if got, err := db.ParseTime("2026-12-02 14:10:15"); err != nil || !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("a CURRENT_TIMESTAMP value: got %v, %v", got, err)
	}
	if _, err := db.ParseTime("yesterday"); err == nil {
		t.Error("ParseTime(yesterday): no error")
	}
}
