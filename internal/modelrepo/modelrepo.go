// Package modelrepo keeps Ladder's model in a Git repository: an admin names a repository,
// branch and path, and Ladder applies the YAML files under that path (with prune) whenever
// the branch's head changes, polling on the same interval as the trigger. Each attempt is
// recorded with its commit and result (applied, refused with its problems, or an error
// reading the repository) and written to the audit log. A commit that cannot be applied is
// refused whole: the model stays as the last commit applied left it.
package modelrepo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/fault"
	"ladder/internal/gitops"
	"ladder/internal/model"
)

// Results of an attempt.
const (
	Applied = "applied" // the commit's model was applied (possibly changing nothing)
	Refused = "refused" // the commit's model has problems; nothing changed
	Failed  = "error"   // the repository could not be read, or the apply failed
)

// Setting is the repository the model is kept in.
type Setting struct {
	URL        string
	Branch     string
	Path       string // the directory whose *.yaml and *.yml files (recursively) hold the model
	Credential string // a Git credential's name; empty: the credential matching the URL
	UpdatedAt  time.Time
}

// Location identifies what a setting reads, so that a changed setting is applied afresh.
func (s Setting) Location() string { return s.URL + "@" + s.Branch + ":" + s.Path }

// Input is what an admin sets.
type Input struct {
	URL        string `form:"url" validate:"required,max=500"`
	Branch     string `form:"branch" validate:"max=200"`
	Path       string `form:"path" validate:"max=500"`
	Credential string `form:"credential" validate:"omitempty,dnslabel"`
}

// Attempt is one attempt to apply the repository.
type Attempt struct {
	ID       int64
	Commit   string
	At       time.Time
	Result   string
	Message  string // why it failed, or a summary
	Problems []Problem
	Changes  []model.Change
}

// Problem is a problem of the model, with the file of the repository it is in.
type Problem struct {
	File string `json:"file,omitempty"`
	model.Problem
}

// String names the file and the document within it.
func (p Problem) String() string {
	if p.File == "" {
		return p.Problem.String()
	}
	return p.File + ": " + p.Problem.String()
}

// Git reads the repository; gitops.Store in production.
type Git interface {
	Files(ctx context.Context, r gitops.Remote, branch, dir string, keep func(string) bool) (string, map[string][]byte, error)
}

// Remote returns the repository's URL with credentials: those of the credential called name,
// or (name empty) those matching the URL.
type Remote func(ctx context.Context, name, url string) (gitops.Remote, error)

// Service keeps the setting and applies the repository.
type Service struct {
	db     *sql.DB
	q      *db.Queries
	check  *fault.Validator
	now    func() time.Time
	model  *model.Service
	git    Git
	remote Remote
	log    *slog.Logger

	mu   sync.Mutex // one check at a time
	once sync.Once
	wake chan struct{}
}

// NewService returns a Service applying to m what it reads with git.
func NewService(conn *sql.DB, check *fault.Validator, now func() time.Time, m *model.Service, git Git, remote Remote, log *slog.Logger) *Service {
	return &Service{db: conn, q: db.New(conn), check: check, now: now, model: m, git: git, remote: remote, log: log}
}

// Get returns the setting; ok is false when none is set.
func (s *Service) Get(ctx context.Context) (Setting, bool, error) {
	r, err := s.q.GetModelRepository(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return Setting{}, false, nil
	}
	if err != nil {
		return Setting{}, false, fmt.Errorf("get the model repository: %w", err)
	}
	return Setting{URL: r.Url, Branch: r.Branch, Path: r.Path, Credential: r.Credential, UpdatedAt: r.UpdatedAt}, true, nil
}

// Set stores the setting (the branch defaults to main). The caller asks for the check: at
// once (Check) or from the watcher (Wake).
func (s *Service) Set(ctx context.Context, in Input) (Setting, error) {
	in.URL, in.Branch, in.Path, in.Credential = strings.TrimSpace(in.URL), strings.TrimSpace(in.Branch),
		strings.Trim(strings.TrimSpace(in.Path), "/"), strings.TrimSpace(in.Credential)
	if in.Branch == "" {
		in.Branch = "main"
	}
	if fe := s.check.Struct(in); len(fe) > 0 {
		return Setting{}, fe
	}
	now := s.now().UTC()
	set := Setting{URL: in.URL, Branch: in.Branch, Path: in.Path, Credential: in.Credential, UpdatedAt: now}
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		if in.Credential != "" {
			if _, err := q.GetGitCredential(ctx, in.Credential); errors.Is(err, sql.ErrNoRows) {
				return fault.FieldErrors{"credential": fmt.Sprintf("there is no Git credential called %q", in.Credential)}
			} else if err != nil {
				return fmt.Errorf("find Git credential %q: %w", in.Credential, err)
			}
		}
		if err := q.SetModelRepository(ctx, db.SetModelRepositoryParams{Url: set.URL, Branch: set.Branch, Path: set.Path,
			Credential: set.Credential, UpdatedAt: now}); err != nil {
			return fmt.Errorf("set the model repository: %w", err)
		}
		detail := set.URL + " branch " + set.Branch + " path " + orRoot(set.Path)
		if set.Credential != "" {
			detail += " with credential " + set.Credential
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: audit.Actor(ctx), Action: "update", Kind: "model-repository",
			Name: "model repository", Detail: detail})
	})
	return set, err
}

// Clear forgets the setting: the model stays as it is and is no longer applied from Git.
func (s *Service) Clear(ctx context.Context) error {
	return db.InTx(ctx, s.db, func(q *db.Queries) error {
		if err := q.DeleteModelRepository(ctx); err != nil {
			return fmt.Errorf("clear the model repository: %w", err)
		}
		return audit.Record(ctx, q, s.now().UTC(), audit.Entry{Actor: audit.Actor(ctx), Action: "delete",
			Kind: "model-repository", Name: "model repository"})
	})
}

// Attempts returns the last n attempts, newest first.
func (s *Service) Attempts(ctx context.Context, n int) ([]Attempt, error) {
	rows, err := s.q.ListModelRepositoryAttempts(ctx, int64(n))
	if err != nil {
		return nil, fmt.Errorf("list model repository attempts: %w", err)
	}
	out := make([]Attempt, 0, len(rows))
	for _, r := range rows {
		out = append(out, attemptOf(r))
	}
	return out, nil
}

func attemptOf(r db.ModelRepositoryAttempt) Attempt {
	a := Attempt{ID: r.ID, Commit: r.CommitSha, At: r.At, Result: r.Result, Message: r.Message}
	_ = json.Unmarshal([]byte(r.Problems), &a.Problems) // written by record below
	_ = json.Unmarshal([]byte(r.Changes), &a.Changes)
	return a
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}
