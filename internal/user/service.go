package user

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// Service reads and changes users and access rules. Every change is written together with its
// audit record in one transaction.
type Service struct {
	db    *sql.DB
	q     *db.Queries
	check *fault.Validator
	now   func() time.Time
	roles GroupRoles

	// recent keeps Get's answers while no user is written (db.VersionOf): every signed-in
	// request reads its user, and the answer stays the same however many releases are
	// written meanwhile.
	recent *db.Memo[int64, User]
}

// NewService returns a Service on conn that gives single sign-on users the roles their groups
// map to in roles.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time, roles GroupRoles) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now, roles: roles,
		recent: db.NewMemo[int64, User](db.VersionOf(conn, "users"), now)}
}

// List returns every user by name.
func (s *Service) List(ctx context.Context) ([]User, error) {
	rows, err := s.q.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users := make([]User, 0, len(rows))
	for _, r := range rows {
		u, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

// Get returns the user with id.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	u, err := s.recent.Get(id, func() (User, error) {
		r, err := s.q.GetUser(ctx, id)
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, fmt.Errorf("user %d: %w", id, fault.ErrNotFound)
		}
		if err != nil {
			return User{}, fmt.Errorf("get user %d: %w", id, err)
		}
		return fromRow(r)
	})
	u.Groups = slices.Clone(u.Groups) // the kept user is shared
	return u, err
}

// GetByName returns the user called name.
func (s *Service) GetByName(ctx context.Context, name string) (User, error) {
	return getByName(ctx, s.q, name)
}

func getByName(ctx context.Context, q *db.Queries, name string) (User, error) {
	r, err := q.GetUserByName(ctx, name)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %q: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return fromRow(r)
}

// SignIn records a single sign-on: the user is created at their first sign-in, and their
// e-mail, groups and group role are refreshed at every one. A disabled user is refused.
func (s *Service) SignIn(ctx context.Context, id Identity) (User, error) {
	if id.Subject == "" {
		return User{}, fmt.Errorf("sign in: identity without subject: %w", fault.ErrUnauthenticated)
	}
	var signedIn User
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		now := s.now().UTC()
		groups, role := encodeList(id.Groups), s.roles.RoleFor(id.Groups)
		r, err := q.GetUserBySubject(ctx, sql.NullString{String: id.Subject, Valid: true})
		action := "sign-in"
		switch {
		case errors.Is(err, sql.ErrNoRows):
			name, nerr := freeName(ctx, q, id)
			if nerr != nil {
				return nerr
			}
			action = "create"
			r, err = q.CreateUser(ctx, db.CreateUserParams{
				Name: name, Subject: sql.NullString{String: id.Subject, Valid: true}, Email: id.Email,
				Groups: groups, GroupRole: string(role), LastSignInAt: sql.NullTime{Time: now, Valid: true},
				CreatedAt: now, UpdatedAt: now,
			})
		case err == nil && r.Disabled:
			return fmt.Errorf("user %q is disabled: %w", r.Name, fault.ErrForbidden)
		case err == nil:
			if err = rename(ctx, q, &r, id, now); err != nil {
				return err
			}
			r, err = q.UpdateUserSignIn(ctx, db.UpdateUserSignInParams{
				Email: id.Email, Groups: groups, GroupRole: string(role),
				LastSignInAt: sql.NullTime{Time: now, Valid: true}, UpdatedAt: now, ID: r.ID,
			})
		}
		if err != nil {
			return fmt.Errorf("sign in %q: %w", id.Subject, err)
		}
		if signedIn, err = fromRow(r); err != nil {
			return err
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: signedIn.Name, Action: action, Kind: "user",
			Name: signedIn.Name, Detail: "single sign-on; role from groups: " + string(role)})
	})
	return signedIn, err
}

// rename gives a user still named after their subject (their provider once sent neither a
// user name nor an e-mail address) a better name, when the provider sends one now.
func rename(ctx context.Context, q *db.Queries, r *db.User, id Identity, now time.Time) error {
	if r.Name != id.Subject || (id.Username == "" && id.Email == "") {
		return nil
	}
	name, err := freeName(ctx, q, id)
	if err != nil || name == r.Name {
		return err
	}
	if err := q.RenameUser(ctx, db.RenameUserParams{Name: name, UpdatedAt: now, ID: r.ID}); err != nil {
		return fmt.Errorf("rename %q: %w", r.Name, err)
	}
	r.Name = name
	return nil
}

// freeName picks the user's name: the preferred username, else the e-mail address, else the
// subject — the first one no other user has.
func freeName(ctx context.Context, q *db.Queries, id Identity) (string, error) {
	for _, name := range []string{id.Username, id.Email, id.Subject} {
		if name == "" {
			continue
		}
		n, err := q.CountUsersByName(ctx, name)
		if err != nil {
			return "", fmt.Errorf("check user name %q: %w", name, err)
		}
		if n == 0 {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free name for %q: %w", id.Subject, fault.ErrConflict)
}

// SetRole sets the role an admin chose for the user called name; an empty role lets the
// user's groups decide again.
func (s *Service) SetRole(ctx context.Context, name string, role Role) error {
	if role != "" && !role.Valid() {
		return fault.FieldErrors{"role": "must be one of: viewer, promoter, admin"}
	}
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		u, err := getByName(ctx, q, name)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := q.SetUserRoleOverride(ctx, db.SetUserRoleOverrideParams{RoleOverride: string(role), UpdatedAt: now, ID: u.ID}); err != nil {
			return fmt.Errorf("set role of %q: %w", name, err)
		}
		detail := "role set to " + string(role)
		if role == "" {
			detail = "role from groups again (" + string(u.GroupRole) + ")"
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update", Kind: "user", Name: name, Detail: detail})
	})
}

// SetDisabled disables or re-enables the user called name. Nobody disables themselves, and the
// local admin can only be disabled while an enabled single sign-on admin exists, so Ladder never
// locks its admins out.
func (s *Service) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		u, err := getByName(ctx, q, name)
		if err != nil {
			return err
		}
		if disabled && name == audit.Actor(ctx) {
			return fmt.Errorf("you cannot disable yourself: %w", fault.ErrConflict)
		}
		if disabled && u.Local {
			n, err := q.CountSingleSignOnAdmins(ctx)
			if err != nil {
				return fmt.Errorf("count admins: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("sign in once with single sign-on as an admin before disabling the local admin: %w", fault.ErrConflict)
			}
		}
		now := s.now().UTC()
		if err := q.SetUserDisabled(ctx, db.SetUserDisabledParams{Disabled: disabled, UpdatedAt: now, ID: u.ID}); err != nil {
			return fmt.Errorf("disable %q: %w", name, err)
		}
		if disabled { // a disabled user's sessions end with it
			if _, err := q.DeleteSessionsOfUser(ctx, u.ID); err != nil {
				return fmt.Errorf("end sessions of %q: %w", name, err)
			}
		}
		action := "enable"
		if disabled {
			action = "disable"
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: action, Kind: "user", Name: name})
	})
}
