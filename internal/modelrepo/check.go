package modelrepo

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"ladder/db"
	"ladder/internal/audit"
	"ladder/internal/model"
)

// Actor is who the audit log names for the changes an attempt makes: "model repository"
// and the commit's short SHA.
func Actor(commit string) string { return "model repository " + short(commit) }

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// Wake asks the watcher for a check now; it never blocks.
func (s *Service) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) init() { s.once.Do(func() { s.wake = make(chan struct{}, 1) }) }

// Run checks the repository every interval (and when woken) until ctx is cancelled.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	s.init()
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Check(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("check the model repository", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Check reads the repository once and applies its model when the branch's head is not the
// commit last attempted for the same setting. It returns the attempt it recorded, or nil when
// there was nothing to do (no setting, the same commit, or the same error as last time).
func (s *Service) Check(ctx context.Context) (*Attempt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set, ok, err := s.Get(ctx)
	if err != nil || !ok {
		return nil, err
	}
	last, err := s.q.LastModelRepositoryAttempt(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("last model repository attempt: %w", err)
	}
	same := err == nil && last.Location == set.Location()
	head, files, err := s.read(ctx, set)
	if err != nil {
		if same && last.Result == Failed && last.Message == err.Error() {
			return nil, nil // reported already
		}
		return s.record(ctx, set, Attempt{Commit: head, Result: Failed, Message: err.Error()})
	}
	if same && last.CommitSha == head && last.Result != Failed {
		return nil, nil
	}
	return s.record(ctx, set, s.apply(ctx, head, files))
}

// read returns the branch head and the YAML files under the setting's path.
func (s *Service) read(ctx context.Context, set Setting) (string, map[string][]byte, error) {
	r, err := s.remote(ctx, set.Credential, set.URL)
	if err != nil {
		return "", nil, err
	}
	return s.git.Files(ctx, r, set.Branch, set.Path, func(p string) bool {
		ext := path.Ext(p)
		return ext == ".yaml" || ext == ".yml"
	})
}

// apply applies the files, in path order, as one model with prune.
func (s *Service) apply(ctx context.Context, head string, files map[string][]byte) Attempt {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var all bytes.Buffer
	var counts []int
	for _, name := range names {
		b := files[name]
		all.WriteString("---\n")
		all.Write(b)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			all.WriteByte('\n')
		}
		counts = append(counts, documents(b))
	}
	a := Attempt{Commit: head, Result: Applied}
	changes, err := s.model.ApplyWith(audit.WithActor(ctx, Actor(head)), &all, model.Options{Prune: true})
	var invalid *model.Invalid
	switch {
	case errors.As(err, &invalid):
		a.Result, a.Message = Refused, fmt.Sprintf("%d problem(s); nothing was changed", len(invalid.Problems))
		for _, p := range invalid.Problems {
			a.Problems = append(a.Problems, locate(p, names, counts))
		}
	case err != nil:
		a.Result, a.Message = Failed, err.Error()
	default:
		a.Changes = changes
		a.Message = summary(changes, len(names))
	}
	return a
}

// documents counts the documents of a file as the model counts them (empty ones are not).
func documents(b []byte) int {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	n := 0
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			return n + 1 // the model reports the broken document, and reads no further
		}
		if len(doc.Content) > 0 && !(doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null") {
			n++
		}
	}
}

// locate turns the document number of the files read as one into a file and its number there.
func locate(p model.Problem, names []string, counts []int) Problem {
	n := p.Document
	for i, c := range counts {
		if n <= c || i == len(counts)-1 {
			if n > 0 {
				p.Document = n
				return Problem{File: names[i], Problem: p}
			}
			break
		}
		n -= c
	}
	return Problem{Problem: p}
}

// summary says what an applied commit changed.
func summary(changes []model.Change, files int) string {
	n := map[string]int{}
	for _, c := range changes {
		n[c.Action]++
	}
	var parts []string
	for _, action := range []string{model.Create, model.Update, model.Delete} {
		if n[action] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[action], action))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no change")
	}
	return fmt.Sprintf("%s (%d document(s) in %d file(s))", strings.Join(parts, ", "), len(changes)-n[model.Delete], files)
}

// record stores the attempt and its audit record in one transaction.
func (s *Service) record(ctx context.Context, set Setting, a Attempt) (*Attempt, error) {
	problems, _ := json.Marshal(nonNil(a.Problems)) // plain structs always encode
	changes, _ := json.Marshal(nonNil(a.Changes))
	now := s.now().UTC()
	err := db.InTx(ctx, s.db, func(q *db.Queries) error {
		r, err := q.CreateModelRepositoryAttempt(ctx, db.CreateModelRepositoryAttemptParams{Location: set.Location(),
			CommitSha: a.Commit, At: now, Result: a.Result, Message: a.Message, Problems: string(problems), Changes: string(changes)})
		if err != nil {
			return fmt.Errorf("record the model repository attempt: %w", err)
		}
		a = attemptOf(r)
		detail := a.Message
		if len(a.Problems) > 0 {
			detail += ": " + a.Problems[0].String()
		}
		name := "commit " + short(a.Commit)
		if a.Commit == "" {
			name = set.URL
		}
		return audit.Record(ctx, q, now, audit.Entry{Actor: "model repository", Action: "apply " + a.Result,
			Kind: "model-repository", Name: name, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
