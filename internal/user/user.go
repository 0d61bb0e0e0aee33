// Package user owns the people who use Ladder: their accounts (single sign-on users created at
// their first sign-in, and the local admin), their roles, and the rules that narrow what
// promoters may do.
package user

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ladder/db"
)

// Role is what a user may do: view, promote, or administer everything.
type Role string

// The roles, from least to most.
const (
	Viewer   Role = "viewer"   // reads everything except secrets
	Promoter Role = "promoter" // triggers, approves, retries, terminates, rolls back, shares
	Admin    Role = "admin"    // everything, including the model
)

// Roles lists every role from least to most, for forms.
var Roles = []Role{Viewer, Promoter, Admin}

func (r Role) rank() int { return slices.Index(Roles, r) }

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r.rank() >= 0 }

// AtLeast reports whether r includes everything min may do.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// LocalAdmin is the name of the local admin account created at first start.
const LocalAdmin = "admin"

// User is one person (or, for API tokens, one automation) acting in Ladder.
type User struct {
	ID                 int64
	Name               string
	Subject            string // issuer|sub for single sign-on users, empty for the local admin
	Email              string
	Groups             []string
	GroupRole          Role // the role the user's groups give
	RoleOverride       Role // set by an admin; empty means the groups decide
	Local              bool // signs in with a password
	MustChangePassword bool
	Disabled           bool
	LastSignInAt       *time.Time
	CreatedAt          time.Time
}

// Role is the user's effective role: the override when an admin set one, else the groups' role.
func (u User) Role() Role {
	if u.RoleOverride != "" {
		return u.RoleOverride
	}
	return u.GroupRole
}

// InGroup reports whether the user belongs to group.
func (u User) InGroup(group string) bool { return slices.Contains(u.Groups, group) }

// GroupRoles maps identity-provider groups to roles. Anyone in none of the groups is a viewer.
type GroupRoles struct {
	Admin    []string
	Promoter []string
}

// RoleFor returns the highest role any of groups gives.
func (m GroupRoles) RoleFor(groups []string) Role {
	in := func(list []string) bool {
		return slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(list, g) })
	}
	switch {
	case in(m.Admin):
		return Admin
	case in(m.Promoter):
		return Promoter
	default:
		return Viewer
	}
}

// SplitList splits a comma-separated configuration value, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Identity is who the identity provider says signed in.
type Identity struct {
	Subject  string // issuer|sub, stable across sign-ins
	Username string // preferred_username, may be empty
	Email    string
	Groups   []string
}

func fromRow(r db.User) (User, error) {
	var groups []string
	if err := json.Unmarshal([]byte(r.Groups), &groups); err != nil {
		return User{}, fmt.Errorf("user %q: decode groups: %w", r.Name, err)
	}
	u := User{
		ID: r.ID, Name: r.Name, Subject: r.Subject.String, Email: r.Email, Groups: groups,
		GroupRole: Role(r.GroupRole), RoleOverride: Role(r.RoleOverride), Local: r.PasswordHash != "",
		MustChangePassword: r.MustChangePassword, Disabled: r.Disabled, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.LastSignInAt.Valid {
		t := r.LastSignInAt.Time.UTC()
		u.LastSignInAt = &t
	}
	return u, nil
}

func encodeList(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list) // a []string always encodes
	return string(b)
}
