package product

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"ladder/internal/application"
	"ladder/internal/gitops"
)

// Preview is what the template reads from one application's repository right now: the
// version and each promotion path's values, or, next to each, why it could not be read.
type Preview struct {
	App     application.Application
	Commit  string // the commit everything was read at
	Err     string // the repository could not be read at all (unreachable, credentials, branch)
	Version Resolved
	Entries []EntryPreview
	Files   []string // with no entries: the files a promotion would copy
}

// Resolved is one value read, or the reason it was not.
type Resolved struct {
	Value string
	Err   string
}

// EntryPreview is one promotion entry's result: one row per JSONPath.
type EntryPreview struct {
	File  string
	Paths []PathPreview
}

// PathPreview is what one JSONPath selects in the files an entry names.
type PathPreview struct {
	Path   string
	Values []Found
	Err    string
}

// Found is one selected value: the file, its normalized path there, and the value as text.
type Found struct {
	File  string
	At    string
	Value string
}

// Previewer reads applications' repositories for the live preview.
type Previewer struct {
	store  *gitops.Store
	remote func(ctx context.Context, repoURL string) (gitops.Remote, error)
}

// NewPreviewer returns a Previewer reading through store, with remote finding each
// repository's credentials.
func NewPreviewer(store *gitops.Store, remote func(context.Context, string) (gitops.Remote, error)) *Previewer {
	return &Previewer{store: store, remote: remote}
}

// Preview reads t from app's repository at the head of its branch. Problems with the
// repository are reported in Preview.Err, problems with one value next to it; the error
// returned is only for failures of Ladder itself.
func (p *Previewer) Preview(ctx context.Context, t Template, app application.Application) (Preview, error) {
	pv := Preview{App: app}
	r, err := p.remote(ctx, app.RepoURL)
	if err != nil {
		return pv, err
	}
	if pv.Commit, err = p.store.Head(ctx, r, app.Branch); err != nil {
		pv.Err = explain(err, app)
		return pv, nil
	}
	if vs := t.VersionSource; vs.File != "" {
		v, err := p.store.ReadVersion(ctx, r, app.Branch, app.Path, pv.Commit, gitops.VersionSource(vs))
		pv.Version = Resolved{Value: v}
		if err != nil {
			pv.Version = Resolved{Err: explain(err, app)}
		}
	}
	g := t.Gitops()
	vals, _, err := p.store.ReadSource(ctx, r, app.Branch, app.Path, pv.Commit, g)
	if len(t.Promotion) == 0 {
		for name := range vals.Files {
			pv.Files = append(pv.Files, name)
		}
		slices.Sort(pv.Files)
		if err != nil {
			pv.Err = explain(err, app)
		}
		return pv, nil
	}
	for _, e := range t.Promotion {
		ep := EntryPreview{File: e.File}
		for _, q := range e.JSONPaths {
			found := vals
			if err != nil {
				// Something failed: read each path alone so the error lands next to its path.
				one := gitops.Template{Entries: []gitops.Entry{{File: e.File, JSONPaths: []string{q}}}}
				var perr error
				if found, _, perr = p.store.ReadSource(ctx, r, app.Branch, app.Path, pv.Commit, one); perr != nil {
					ep.Paths = append(ep.Paths, PathPreview{Path: q, Err: explain(perr, app)})
					continue
				}
			}
			ep.Paths = append(ep.Paths, PathPreview{Path: q, Values: collect(found, e.File, q)})
		}
		pv.Entries = append(pv.Entries, ep)
	}
	return pv, nil
}

// collect picks the values query selected in the files matching glob.
func collect(vals gitops.Values, glob, query string) []Found {
	var out []Found
	for name, locs := range vals.Paths {
		if ok, _ := path.Match(glob, name); !ok {
			continue
		}
		for _, l := range locs {
			if l.Query == query {
				out = append(out, Found{File: name, At: l.Path, Value: text(l.Value)})
			}
		}
	}
	slices.SortFunc(out, func(a, b Found) int {
		return cmp.Or(strings.Compare(a.File, b.File), strings.Compare(a.At, b.At))
	})
	return out
}

// text shows a value the way it reads in the file: scalars bare, structures as JSON.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return string(v)
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// explain turns a Git engine error into a sentence for the page. The engine's messages name
// the URL and the file but never a credential's secret.
func explain(err error, app application.Application) string {
	switch {
	case errors.Is(err, gitops.ErrJSONPathSyntax):
		return err.Error()
	case errors.Is(err, gitops.ErrPathNotFound):
		return "path matches nothing: " + err.Error()
	case errors.Is(err, gitops.ErrFileNotFound):
		return "file missing: " + err.Error()
	case errors.Is(err, gitops.ErrBranchNotFound):
		return fmt.Sprintf("branch %q not found in %s", app.BranchLabel(), app.RepoURL)
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return "the repository needs credentials: add a Git credential whose prefix matches " + app.RepoURL
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return "bad credentials: the Git credential matching " + app.RepoURL + " was refused"
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return "repository unreachable: " + app.RepoURL + " not found"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "repository unreachable: timed out reading " + app.RepoURL
	}
	return "repository unreachable: " + err.Error()
}
