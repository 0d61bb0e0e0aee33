// Package environment owns Ladder's environments: the ordered stages (dev, staging, prod …)
// that promotions move through, their kind, tags and freeze.
package environment

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ladder/db"
)

// Kinds of environment.
const (
	KindProduction    = "production"
	KindNonProduction = "non-production"
)

// Environment is one stage of delivery.
type Environment struct {
	ID           int64
	Name         string
	Kind         string
	Position     int64
	Tags         []string
	Description  string
	Frozen       bool
	FreezeReason string
	FrozenUntil  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Production reports whether the environment serves production traffic.
func (e Environment) Production() bool { return e.Kind == KindProduction }

// FrozenAt reports whether the environment refuses promotions at time now: it is frozen and its
// freeze has no end or has not reached it yet.
func (e Environment) FrozenAt(now time.Time) bool {
	return e.Frozen && (e.FrozenUntil == nil || now.Before(*e.FrozenUntil))
}

// Blocker is the sentence shown for a release waiting on this environment's freeze.
func (e Environment) Blocker() string {
	s := "environment frozen: " + e.FreezeReason
	if e.FrozenUntil != nil {
		s += " (until " + e.FrozenUntil.UTC().Format("2006-01-02 15:04 UTC") + ")"
	}
	return s
}

// Input is what a person may set on an environment through a form or the API.
type Input struct {
	Name        string   `form:"name" validate:"required,dnslabel"`
	Kind        string   `form:"kind" validate:"required,oneof=production non-production"`
	Tags        []string `form:"tags" validate:"max=50,dive,tag"`
	Description string   `form:"description" validate:"max=1000"`
}

// FreezeInput is what a person sets when freezing an environment.
type FreezeInput struct {
	Reason string     `form:"reason" validate:"required,max=500"`
	Until  *time.Time `form:"until"`
}

// ParseTags splits a comma- or whitespace-separated list of tags, dropping empty entries.
func ParseTags(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	tags := make([]string, 0, len(fields))
	for _, f := range fields {
		tags = append(tags, strings.TrimSpace(f))
	}
	return tags
}

func fromRow(r db.Environment) (Environment, error) {
	var tags []string
	if err := json.Unmarshal([]byte(r.Tags), &tags); err != nil {
		return Environment{}, fmt.Errorf("environment %q: read tags: %w", r.Name, err)
	}
	return Environment{
		ID:           r.ID,
		Name:         r.Name,
		Kind:         r.Kind,
		Position:     r.Position,
		Tags:         tags,
		Description:  r.Description,
		Frozen:       r.Frozen,
		FreezeReason: r.FreezeReason,
		FrozenUntil:  nullTime(r.FrozenUntil),
		CreatedAt:    r.CreatedAt,
		UpdatedAt:    r.UpdatedAt,
	}, nil
}

func encodeTags(tags []string) string {
	if tags == nil {
		tags = []string{}
	}
	b, _ := json.Marshal(tags) // a []string always encodes
	return string(b)
}
