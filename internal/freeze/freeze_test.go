package freeze_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"ladder/db"
	"ladder/internal/fault"
	"ladder/internal/freeze"
	"ladder/internal/policy"
)

var fakeNow = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*freeze.Service, *sql.DB) {
	t.Helper()
	conn, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "ladder.db"))
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return freeze.NewService(conn, fault.NewValidator(), func() time.Time { return fakeNow }), conn
}

func create(t *testing.T, svc *freeze.Service, in freeze.Input) freeze.Window {
	t.Helper()
	w, err := svc.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Name, err)
	}
	return w
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var prod = policy.Environment{Name: "prod", Kind: "production", Tags: []string{"eu"}}

// TestOccurrencesAcrossDSTChanges proves that a recurring window's occurrences start at the
// cron time on the zone's clock and last its duration on that clock, on both sides of the
// summer-time changes of Europe/Berlin (last Sundays of March and October) and
// America/New_York (second Sunday of March, first Sunday of November).
func TestOccurrencesAcrossDSTChanges(t *testing.T) {
	tests := []struct {
		name, zone, schedule, duration string
		at                             string // an instant inside the occurrence
		start, end                     string // want, UTC
	}{
		{"berlin weekend, spring", "Europe/Berlin", "0 0 * * 6", "48h", "2026-03-29T01:30:00Z", "2026-03-27T23:00:00Z", "2026-03-29T22:00:00Z"},
		{"berlin weekend, autumn", "Europe/Berlin", "0 0 * * 6", "48h", "2026-10-25T01:30:00Z", "2026-10-23T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"new york weekend, spring", "America/New_York", "0 0 * * 6", "48h", "2026-03-08T07:30:00Z", "2026-03-07T05:00:00Z", "2026-03-09T04:00:00Z"},
		{"new york weekend, autumn", "America/New_York", "0 0 * * 6", "48h", "2026-11-01T06:30:00Z", "2026-10-31T04:00:00Z", "2026-11-02T05:00:00Z"},
		{"berlin nightly, spring", "Europe/Berlin", "0 22 * * *", "10h", "2026-03-29T01:30:00Z", "2026-03-28T21:00:00Z", "2026-03-29T06:00:00Z"},
		{"berlin nightly, autumn", "Europe/Berlin", "0 22 * * *", "10h", "2026-10-25T01:30:00Z", "2026-10-24T20:00:00Z", "2026-10-25T07:00:00Z"},
		{"new york nightly, spring", "America/New_York", "0 20 * * *", "12h", "2026-03-08T07:30:00Z", "2026-03-08T01:00:00Z", "2026-03-08T12:00:00Z"},
		{"new york nightly, autumn", "America/New_York", "0 20 * * *", "12h", "2026-11-01T06:30:00Z", "2026-11-01T00:00:00Z", "2026-11-01T13:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			w := create(t, svc, freeze.Input{Name: "w", Schedule: tt.schedule, Duration: tt.duration,
				TimeZone: tt.zone, Reason: "freeze"})
			start, end := utc(tt.start), utc(tt.end)
			o, ok := w.At(utc(tt.at))
			if !ok || !o.Start.Equal(start) || !o.End.Equal(end) {
				t.Fatalf("At(%s): got %v %v–%v, want %v–%v", tt.at, ok, o.Start.UTC(), o.End.UTC(), start, end)
			}
			if o, ok := w.Next(start.Add(-time.Minute)); !ok || !o.Start.Equal(start) || !o.End.Equal(end) {
				t.Errorf("Next(a minute before): got %v %v–%v, want %v–%v", ok, o.Start.UTC(), o.End.UTC(), start, end)
			}
			if _, ok := w.At(start.Add(-time.Second)); ok {
				t.Errorf("At(a second before the start): got frozen, want open")
			}
			if _, ok := w.At(end.Add(-time.Second)); !ok {
				t.Errorf("At(a second before the end): got open, want frozen")
			}
			if _, ok := w.At(end); ok {
				t.Errorf("At(the end): got frozen, want open")
			}
		})
	}
}

// TestBlockerNamesTheEndInTheWindowsZone proves the blocker sentence.
func TestBlockerNamesTheEndInTheWindowsZone(t *testing.T) {
	svc, _ := newService(t)
	w := create(t, svc, freeze.Input{Name: "weekend", Schedule: "0 20 * * 5", Duration: "60h",
		TimeZone: "Europe/Berlin", Reason: "weekend freeze"})
	now := utc("2026-01-10T12:00:00Z") // a Saturday
	o, ok := w.At(now)
	if !ok {
		t.Fatal("got open on a Saturday, want frozen")
	}
	if got, want := o.Blocker(now), "frozen until Mon 08:00 Europe/Berlin (weekend freeze)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	fixed := create(t, svc, freeze.Input{Name: "holidays", Start: "2026-12-24T00:00", End: "2027-01-04T06:00",
		TimeZone: "America/New_York", Reason: "holidays"})
	now = utc("2026-12-24T12:00:00Z")
	o, _ = fixed.At(now)
	if got, want := o.Blocker(now), "frozen until Mon 4 Jan 2027 06:00 America/New_York (holidays)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCreateRejectsInvalidInput proves each rule reports on its own field and stores nothing.
func TestCreateRejectsInvalidInput(t *testing.T) {
	valid := freeze.Input{Name: "weekend", Schedule: "0 0 * * 6", Duration: "48h", TimeZone: "Europe/Berlin", Reason: "weekend"}
	tests := []struct {
		name  string
		edit  func(*freeze.Input)
		field string
	}{
		{"bad name", func(in *freeze.Input) { in.Name = "Week End" }, "name"},
		{"no reason", func(in *freeze.Input) { in.Reason = "" }, "reason"},
		{"unknown zone", func(in *freeze.Input) { in.TimeZone = "Mars/Olympus" }, "timeZone"},
		{"bad cron", func(in *freeze.Input) { in.Schedule = "0 0 * *" }, "schedule"},
		{"descriptor", func(in *freeze.Input) { in.Schedule = "@daily" }, "schedule"},
		{"no duration", func(in *freeze.Input) { in.Duration = "" }, "duration"},
		{"seconds", func(in *freeze.Input) { in.Duration = "90s" }, "duration"},
		{"both kinds", func(in *freeze.Input) { in.Start, in.End = "2026-12-24T00:00", "2026-12-27T00:00" }, "schedule"},
		{"neither", func(in *freeze.Input) { in.Schedule, in.Duration = "", "" }, "schedule"},
		{"end before start", func(in *freeze.Input) {
			in.Schedule, in.Duration, in.Start, in.End = "", "", "2026-12-24T00:00", "2026-12-23T00:00"
		}, "end"},
		{"bad start", func(in *freeze.Input) {
			in.Schedule, in.Duration, in.Start, in.End = "", "", "24.12.2026", "2026-12-27T00:00"
		}, "start"},
		{"unknown product", func(in *freeze.Input) { in.Product = "shop" }, "product"},
		{"bad kind", func(in *freeze.Input) { in.Environments.Kinds = []string{"qa"} }, "environmentKinds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, conn := newService(t)
			in := valid
			tt.edit(&in)
			_, err := svc.Create(context.Background(), in)
			fe, ok := fault.Fields(err)
			if !ok || fe[tt.field] == "" {
				t.Fatalf("got %v, want a field error on %s", err, tt.field)
			}
			var n int
			_ = conn.QueryRow("SELECT COUNT(*) FROM freeze_windows").Scan(&n)
			if n != 0 {
				t.Errorf("got %d windows stored, want 0", n)
			}
		})
	}
}

// TestHoldingSelectsEnvironmentsAndProducts proves a window holds only the environments its
// selector chooses and only its product, and that changes are audited.
func TestHoldingSelectsEnvironmentsAndProducts(t *testing.T) {
	svc, conn := newService(t)
	ctx := context.Background()
	if _, err := conn.Exec(`INSERT INTO products (name, created_at, updated_at) VALUES ('shop', ?, ?)`, fakeNow, fakeNow); err != nil {
		t.Fatal(err)
	}
	create(t, svc, freeze.Input{Name: "nightly", Schedule: "0 22 * * *", Duration: "10h", TimeZone: "UTC",
		Environments: policy.EnvironmentSelector{Kinds: []string{"production"}}, Product: "shop", Reason: "nightly"})
	create(t, svc, freeze.Input{Name: "eu-weekend", Schedule: "0 0 * * 6", Duration: "48h", TimeZone: "Europe/Berlin",
		Environments: policy.EnvironmentSelector{Tags: []string{"eu"}}, Reason: "weekend"})
	night, saturday := utc("2026-01-06T23:00:00Z"), utc("2026-01-10T12:00:00Z")
	dev := policy.Environment{Name: "dev", Kind: "non-production"}
	tests := []struct {
		name    string
		product string
		env     policy.Environment
		at      time.Time
		want    string
	}{
		{"shop in prod at night", "shop", prod, night, "nightly"},
		{"another product at night", "blog", prod, night, ""},
		{"shop in dev at night", "shop", dev, night, ""},
		{"any product in eu on saturday", "blog", prod, saturday, "eu-weekend"},
		{"dev on saturday", "blog", dev, saturday, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok, err := svc.Holding(ctx, tt.product, tt.env, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := map[bool]string{true: o.Window.Name}[ok]; got != tt.want {
				t.Errorf("got window %q, want %q", got, tt.want)
			}
		})
	}
	list, _ := svc.List(ctx)
	out := freeze.OutlookOf(list, prod, night)
	if out.Current == nil || out.Current.Window.Name != "nightly" || out.Next == nil || out.Next.Window.Name != "nightly" {
		t.Errorf("got outlook %+v, want nightly now and next", out)
	}
	if err := svc.Delete(ctx, "nightly"); err != nil {
		t.Fatal(err)
	}
	var n int
	_ = conn.QueryRow("SELECT COUNT(*) FROM audit_log WHERE entity_kind = 'freeze-window'").Scan(&n)
	if n != 3 {
		t.Errorf("got %d audit records, want 3 (two creates, one delete)", n)
	}
}
