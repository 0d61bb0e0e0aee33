package freeze

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/policy"
)

// reserved names would clash with the windows pages' own URLs.
var reserved = []string{"new"}

// maxDuration bounds a recurring window's occurrences.
const maxDuration = 31 * 24 * time.Hour

// Input is what a person may set on a freeze window through a form, the API or YAML. A
// recurring window sets Schedule and Duration (a Go duration in whole minutes); a fixed one
// sets Start and End (LocalLayout, read in TimeZone).
type Input struct {
	Name         string                     `form:"name" validate:"required,dnslabel"`
	Schedule     string                     `form:"schedule" validate:"max=200"`
	Duration     string                     `form:"duration" validate:"max=20"`
	Start        string                     `form:"start" validate:"max=20"`
	End          string                     `form:"end" validate:"max=20"`
	TimeZone     string                     `form:"timeZone" validate:"required,max=64"`
	Environments policy.EnvironmentSelector `form:"environments"`
	Product      string                     `form:"product" validate:"omitempty,dnslabel"`
	Reason       string                     `form:"reason" validate:"required,max=500"`
}

// InputOf is the input that gives w.
func InputOf(w Window) Input {
	in := Input{Name: w.Name, Schedule: w.Schedule, TimeZone: w.TimeZone, Environments: w.Environments,
		Product: w.Product, Reason: w.Reason}
	if w.Recurring() {
		in.Duration = FormatDuration(w.Duration)
	}
	if w.Start != nil && w.End != nil {
		in.Start = w.Start.In(w.Location()).Format(LocalLayout)
		in.End = w.End.In(w.Location()).Format(LocalLayout)
	}
	return in
}

// Service reads and changes freeze windows; every change is validated and written with its
// audit record in one transaction.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	check *fault.Validator
	now   func() time.Time
}

// NewService returns a Service on conn.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now}
}

// List returns every window by name.
func (s *Service) List(ctx context.Context) ([]Window, error) {
	rows, err := s.q.ListFreezeWindows(ctx)
	if err != nil {
		return nil, fmt.Errorf("list freeze windows: %w", err)
	}
	list := make([]Window, 0, len(rows))
	for _, r := range rows {
		w, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		list = append(list, w)
	}
	return list, nil
}

// Get returns the window called name.
func (s *Service) Get(ctx context.Context, name string) (Window, error) {
	return get(ctx, s.q, name)
}

func get(ctx context.Context, q *db.Queries, name string) (Window, error) {
	r, err := q.GetFreezeWindow(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return Window{}, fmt.Errorf("freeze window %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return Window{}, fmt.Errorf("get freeze window %q: %w", name, err)
	}
	return fromRow(r)
}

// Holding returns the occurrence that freezes environment e for product at now (the one
// ending last when several do).
func (s *Service) Holding(ctx context.Context, product string, e policy.Environment, now time.Time) (Occurrence, bool, error) {
	list, err := s.List(ctx)
	if err != nil {
		return Occurrence{}, false, err
	}
	o, ok := Holding(list, product, e, now)
	return o, ok, nil
}

// Holding returns the occurrence of windows that freezes environment e for product at now
// (product "" counts windows of every product).
func Holding(windows []Window, product string, e policy.Environment, now time.Time) (Occurrence, bool) {
	var best Occurrence
	found := false
	for _, w := range windows {
		if !w.Applies(product, e) {
			continue
		}
		if o, ok := w.At(now); ok && (!found || o.End.After(best.End)) {
			best, found = o, true
		}
	}
	return best, found
}

// Upcoming returns the next occurrence of windows that starts after now in environment e,
// for any product.
func Upcoming(windows []Window, e policy.Environment, now time.Time) (Occurrence, bool) {
	var best Occurrence
	found := false
	for _, w := range windows {
		if !w.Applies("", e) {
			continue
		}
		if o, ok := w.Next(now); ok && (!found || o.Start.Before(best.Start)) {
			best, found = o, true
		}
	}
	return best, found
}

// Outlook is what pages show of an environment's windows: the occurrence holding it now and
// the next one to start (either may be missing).
type Outlook struct {
	Current *Occurrence
	Next    *Occurrence
}

// OutlookOf is environment e's outlook at now under windows.
func OutlookOf(windows []Window, e policy.Environment, now time.Time) Outlook {
	var out Outlook
	if o, ok := Holding(windows, "", e, now); ok {
		out.Current = &o
	}
	if o, ok := Upcoming(windows, e, now); ok {
		out.Next = &o
	}
	return out
}

// Create adds a window.
func (s *Service) Create(ctx context.Context, in Input) (Window, error) {
	var created Window
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		created, err = s.CreateTx(ctx, q, in)
		return err
	})
	return created, err
}

// CreateTx is Create inside the caller's transaction q (a model being applied).
func (s *Service) CreateTx(ctx context.Context, q *db.Queries, in Input) (Window, error) {
	w, err := s.parse(ctx, q, in, "")
	if err != nil {
		return Window{}, err
	}
	now := s.now().UTC()
	p := rowParams(w)
	r, err := q.CreateFreezeWindow(ctx, db.CreateFreezeWindowParams{Name: p.Name, Schedule: p.Schedule,
		Duration: p.Duration, StartsAt: p.StartsAt, EndsAt: p.EndsAt, TimeZone: p.TimeZone,
		Environments: p.Environments, Product: p.Product, Reason: p.Reason, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Window{}, fmt.Errorf("create freeze window %q: %w", in.Name, err)
	}
	created, err := fromRow(r)
	if err != nil {
		return Window{}, err
	}
	return created, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "create",
		Kind: "freeze-window", Name: w.Name, Detail: detail(w)})
}

// Update changes the window called name; a new name must be free.
func (s *Service) Update(ctx context.Context, name string, in Input) (Window, error) {
	var updated Window
	err := db.InTx(ctx, s.db, func(q *db.Queries) (err error) {
		updated, err = s.UpdateTx(ctx, q, name, in)
		return err
	})
	return updated, err
}

// UpdateTx is Update inside the caller's transaction q.
func (s *Service) UpdateTx(ctx context.Context, q *db.Queries, name string, in Input) (Window, error) {
	old, err := get(ctx, q, name)
	if err != nil {
		return Window{}, err
	}
	w, err := s.parse(ctx, q, in, old.Name)
	if err != nil {
		return Window{}, err
	}
	now := s.now().UTC()
	p := rowParams(w)
	p.ID, p.UpdatedAt = old.ID, now
	r, err := q.UpdateFreezeWindow(ctx, p)
	if err != nil {
		return Window{}, fmt.Errorf("update freeze window %q: %w", name, err)
	}
	updated, err := fromRow(r)
	if err != nil {
		return Window{}, err
	}
	d := detail(w)
	if w.Name != old.Name {
		d = "renamed from " + old.Name + "; " + d
	}
	return updated, audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update",
		Kind: "freeze-window", Name: w.Name, Detail: d})
}

// Delete removes the window called name.
func (s *Service) Delete(ctx context.Context, name string) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error { return s.DeleteTx(ctx, q, name) })
}

// DeleteTx is Delete inside the caller's transaction q, with the checks Delete makes inside
// its transaction.
func (s *Service) DeleteTx(ctx context.Context, q *db.Queries, name string) error {
	w, err := get(ctx, q, name)
	if err != nil {
		return err
	}
	if err := q.DeleteFreezeWindow(ctx, w.ID); err != nil {
		return fmt.Errorf("delete freeze window %q: %w", name, err)
	}
	return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
		Kind: "freeze-window", Name: name})
}

// parse checks in and turns it into a window; old is the window's current name ("" when new).
func (s *Service) parse(ctx context.Context, q *db.Queries, in Input, old string) (Window, error) {
	in = normalize(in)
	fe := s.check.Struct(in)
	for _, r := range reserved {
		if in.Name == r {
			fe.Add("name", fmt.Sprintf("%q is reserved for a page of its own", in.Name))
		}
	}
	w := Window{Name: in.Name, Schedule: in.Schedule, TimeZone: in.TimeZone, Environments: in.Environments,
		Product: in.Product, Reason: in.Reason}
	loc, err := loadZone(in.TimeZone)
	if err != nil && fe["timeZone"] == "" {
		fe.Add("timeZone", "not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)")
	}
	fixed := in.Start != "" || in.End != ""
	switch {
	case in.Schedule != "" && fixed:
		fe.Add("schedule", "give either a schedule with a duration or a start and an end, not both")
	case in.Schedule != "":
		s.recurring(&w, in, loc, fe)
	case fixed:
		s.fixed(&w, in, loc, fe)
	default:
		fe.Add("schedule", "give a schedule with a duration, or a start and an end")
	}
	if err := s.refs(ctx, q, in, old, fe); err != nil {
		return Window{}, err
	}
	if err := fe.Err(); err != nil {
		return Window{}, err
	}
	return w, w.prepare()
}

func (s *Service) recurring(w *Window, in Input, loc *time.Location, fe fault.FieldErrors) {
	if loc != nil {
		if _, err := parseSchedule(in.Schedule, loc); err != nil {
			fe.Add("schedule", "not a 5-field cron expression (minute hour day-of-month month day-of-week): "+err.Error())
		}
	}
	d, err := time.ParseDuration(in.Duration)
	switch {
	case in.Duration == "":
		fe.Add("duration", "give how long each occurrence lasts, e.g. 48h or 90m")
	case err != nil:
		fe.Add("duration", "not a duration such as 48h or 1h30m")
	case d < time.Minute || d > maxDuration || d%time.Minute != 0:
		fe.Add("duration", "must be whole minutes, from 1m to 744h (31 days)")
	}
	w.Duration = d
}

func (s *Service) fixed(w *Window, in Input, loc *time.Location, fe fault.FieldErrors) {
	if in.Duration != "" {
		fe.Add("duration", "a fixed window has a start and an end, not a duration")
	}
	if loc == nil {
		return
	}
	start, err := time.ParseInLocation(LocalLayout, in.Start, loc)
	if err != nil {
		fe.Add("start", "give the start as 2026-12-24T00:00 (in the window's time zone)")
	}
	end, err2 := time.ParseInLocation(LocalLayout, in.End, loc)
	if err2 != nil {
		fe.Add("end", "give the end as 2027-01-02T00:00 (in the window's time zone)")
	}
	if err == nil && err2 == nil && !end.After(start) {
		fe.Add("end", "must be after the start")
	}
	start, end = start.UTC(), end.UTC()
	w.Start, w.End = &start, &end
}

// refs checks, inside the transaction, that the name is free and the product exists.
func (s *Service) refs(ctx context.Context, q *db.Queries, in Input, old string, fe fault.FieldErrors) error {
	if in.Name != old && in.Name != "" {
		n, err := q.CountFreezeWindowsByName(ctx, in.Name)
		if err != nil {
			return fmt.Errorf("check name %q: %w", in.Name, err)
		}
		if n > 0 {
			fe.Add("name", fmt.Sprintf("a freeze window called %q already exists", in.Name))
		}
	}
	if in.Product != "" {
		n, err := q.CountProductsByName(ctx, in.Product)
		if err != nil {
			return fmt.Errorf("check product %q: %w", in.Product, err)
		}
		if n == 0 {
			fe.Add("product", fmt.Sprintf("there is no product called %q", in.Product))
		}
	}
	return nil
}

func normalize(in Input) Input {
	for _, p := range []*string{&in.Name, &in.Schedule, &in.Duration, &in.Start, &in.End, &in.TimeZone, &in.Product, &in.Reason} {
		*p = strings.TrimSpace(*p)
	}
	in.Schedule = strings.Join(strings.Fields(in.Schedule), " ")
	return in
}

func detail(w Window) string {
	d := w.Span() + "; " + w.Reason
	if w.Product != "" {
		d += "; product " + w.Product
	}
	return d
}

func rowParams(w Window) db.UpdateFreezeWindowParams {
	sel, _ := json.Marshal(w.Environments) // a selector of strings always encodes
	return db.UpdateFreezeWindowParams{Name: w.Name, Schedule: w.Schedule, Duration: int64(w.Duration / time.Minute),
		StartsAt: nullTime(w.Start), EndsAt: nullTime(w.End), TimeZone: w.TimeZone, Environments: string(sel),
		Product: w.Product, Reason: w.Reason}
}

func fromRow(r db.FreezeWindow) (Window, error) {
	w := Window{ID: r.ID, Name: r.Name, Schedule: r.Schedule, Duration: time.Duration(r.Duration) * time.Minute,
		TimeZone: r.TimeZone, Product: r.Product, Reason: r.Reason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.StartsAt.Valid && r.EndsAt.Valid {
		start, end := r.StartsAt.Time.UTC(), r.EndsAt.Time.UTC()
		w.Start, w.End = &start, &end
	}
	if err := json.Unmarshal([]byte(r.Environments), &w.Environments); err != nil {
		return Window{}, fmt.Errorf("freeze window %q: read environments: %w", r.Name, err)
	}
	if err := w.prepare(); err != nil {
		return Window{}, fmt.Errorf("freeze window %q: %w", r.Name, err)
	}
	return w, nil
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }
