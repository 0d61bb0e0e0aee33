package user

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
)

// MinPasswordLength is the shortest password the local admin may choose.
const MinPasswordLength = 12

// MaxPasswordLength bounds a password as typed into the sign-in form (bcrypt reads 72 bytes);
// longer input is refused without being looked at.
const MaxPasswordLength = 1024

// MaxNameLength bounds a user name, as stored and as typed into the sign-in form.
const MaxNameLength = 200

// Bootstrap creates the local admin when Ladder has no users at all. With password empty it
// generates one, which must be changed at the first sign-in, and returns it so the caller can
// show it once; a password the operator chose (LADDER_ADMIN_PASSWORD) is kept as given and ""
// is returned. Once any user exists Bootstrap does nothing.
func (s *Service) Bootstrap(ctx context.Context, password string) (generated string, err error) {
	err = db.InTx(ctx, s.db, func(q *db.Queries) error {
		n, err := q.CountUsers(ctx)
		if err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		if n > 0 {
			return nil
		}
		mustChange := password == ""
		if mustChange {
			generated = rand.Text()
			password = generated
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
		if err != nil {
			return fmt.Errorf("hash admin password: %w", err)
		}
		now := s.now().UTC()
		if _, err := q.CreateUser(ctx, db.CreateUserParams{
			Name: LocalAdmin, Groups: "[]", GroupRole: string(Admin), PasswordHash: string(hash),
			MustChangePassword: mustChange, CreatedAt: now, UpdatedAt: now,
		}); err != nil {
			return fmt.Errorf("create local admin: %w", err)
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: "system", Action: "create", Kind: "user",
			Name: LocalAdmin, Detail: "local admin created at first start"})
	})
	return generated, err
}

// dummyHash is compared against when no such user exists, so a wrong name costs as much time
// as a wrong password and does not reveal which names exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user"), bcrypt.DefaultCost)

// CheckPassword returns the local user called name when password is theirs. Any mismatch —
// unknown name, no password, disabled, wrong password — is the same ErrUnauthenticated.
func (s *Service) CheckPassword(ctx context.Context, name, password string) (User, error) {
	refused := fmt.Errorf("wrong user name or password: %w", fault.ErrUnauthenticated)
	r, err := s.q.GetUserByName(ctx, name)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && r.PasswordHash == "") {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, refused
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(r.PasswordHash), []byte(password)) != nil || r.Disabled {
		return User{}, refused
	}
	now := s.now().UTC()
	if _, err := s.q.UpdateUserSignIn(ctx, db.UpdateUserSignInParams{Email: r.Email, Groups: r.Groups,
		GroupRole: r.GroupRole, LastSignInAt: sql.NullTime{Time: now, Valid: true}, UpdatedAt: now, ID: r.ID}); err != nil {
		return User{}, fmt.Errorf("record sign-in of %q: %w", name, err)
	}
	return fromRow(r)
}

// PasswordChange is the form a local user fills in to change their password.
type PasswordChange struct {
	Current string `form:"current" validate:"required"`
	New     string `form:"new" validate:"required"`
	Confirm string `form:"confirm" validate:"required"`
}

// ChangePassword sets a new password for the local user id after checking the current one.
func (s *Service) ChangePassword(ctx context.Context, id int64, in PasswordChange) error {
	fe := s.check.Struct(in)
	switch n := utf8.RuneCountInString(in.New); {
	case in.New == "":
	case n < MinPasswordLength:
		fe.Add("new", fmt.Sprintf("use at least %d characters", MinPasswordLength))
	case len(in.New) > 72:
		fe.Add("new", "use at most 72 bytes") // bcrypt ignores the rest
	case in.New == in.Current:
		fe.Add("new", "choose a password different from the current one")
	}
	if in.Confirm != "" && in.Confirm != in.New {
		fe.Add("confirm", "does not match the new password")
	}
	if len(fe) > 0 {
		return fe
	}
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := q.GetUser(ctx, id)
		if err != nil {
			return fmt.Errorf("get user %d: %w", id, err)
		}
		if r.PasswordHash == "" {
			return fmt.Errorf("user %q signs in with single sign-on: %w", r.Name, fault.ErrForbidden)
		}
		if bcrypt.CompareHashAndPassword([]byte(r.PasswordHash), []byte(in.Current)) != nil {
			return fault.FieldErrors{"current": "is not your current password"}
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(in.New), bcrypt.DefaultCost)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		now := s.now().UTC()
		if err := q.SetUserPassword(ctx, db.SetUserPasswordParams{PasswordHash: string(hash), MustChangePassword: false, UpdatedAt: now, ID: id}); err != nil {
			return fmt.Errorf("set password of %q: %w", r.Name, err)
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: r.Name, Action: "update", Kind: "user", Name: r.Name, Detail: "password changed"})
	})
}
