package gitops

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// MaxPushAttempts is how many times a promotion pushes before giving up on a
// branch that keeps moving.
const MaxPushAttempts = 5

// Signature is a commit author.
type Signature struct {
	Name  string
	Email string
}

// PromoteRequest describes one promotion of one application.
type PromoteRequest struct {
	Source       Remote
	SourceBranch string // empty: the remote's default branch
	SourcePath   string // application directory; empty or "." is the root
	SourceCommit string // the trigger commit; empty: the head of SourceBranch
	// Values, when set, are written instead of reading the source (a release
	// reads its values once and gives every target the same ones).
	Values *Values

	Target       Remote
	TargetBranch string // empty: the remote's default branch
	TargetPath   string

	Template      Template
	Product       string
	Version       string
	ReleaseID     string
	ReleaseNumber int
	SourceEnv     string
	TargetEnv     string
	Author        Signature
	// PullRequest pushes the change to PullRequestBranch instead of the
	// target branch.
	PullRequest bool
}

// Result is the outcome of a promotion or preview.
type Result struct {
	// Commit is the SHA of the promotion commit; empty when NoChanges.
	Commit string
	// NoChanges reports that the target already held the values: no commit
	// was made.
	NoChanges bool
	// Branch is the branch the commit was pushed to (for a preview, the target
	// branch the change applies to).
	Branch string
	// Base is the target branch head a preview's change applies to.
	Base string
	// SourceCommit is the commit the values were read at.
	SourceCommit string
	// Changes are the files changed, by path in the target repository.
	Changes map[string]FileChange
	// Attempts counts pushes (more than one when the branch moved).
	Attempts int
}

// PullRequestBranch is the branch a pull-request promotion pushes to.
func PullRequestBranch(product string, releaseNumber int, env string) string {
	return fmt.Sprintf("ladder/%s/%d/%s", product, releaseNumber, env)
}

// ReadSource reads the values a template promotes from an application at a
// commit (the branch head when commit is empty) and returns them with the
// commit's SHA.
func (s *Store) ReadSource(ctx context.Context, r Remote, branch, dir, commit string, t Template) (Values, string, error) {
	rp, err := s.open(ctx, r, commit, branch)
	if err != nil {
		return Values{}, "", err
	}
	defer rp.release()
	c, err := rp.commit(ctx, branch, commit)
	if err != nil {
		return Values{}, "", err
	}
	root, err := c.Tree()
	if err != nil {
		return Values{}, "", err
	}
	vals, err := ReadValues(appFS(root, dir), t)
	return vals, c.Hash.String(), err
}

// ReadVersion reads an application's version at a commit (the branch head
// when commit is empty).
func (s *Store) ReadVersion(ctx context.Context, r Remote, branch, dir, commit string, vs VersionSource) (string, error) {
	rp, err := s.open(ctx, r, commit, branch)
	if err != nil {
		return "", err
	}
	defer rp.release()
	c, err := rp.commit(ctx, branch, commit)
	if err != nil {
		return "", err
	}
	root, err := c.Tree()
	if err != nil {
		return "", err
	}
	return ReadVersion(appFS(root, dir), vs)
}

// Preview returns what a promotion would change in the target, without
// committing or pushing anything: the same edit Promote makes, on the target
// branch head as it is now. Result.Changes holds the files; Diff and Patch
// render them.
func (s *Store) Preview(ctx context.Context, req PromoteRequest) (Result, error) {
	vals, src, err := s.values(ctx, req)
	if err != nil {
		return Result{}, err
	}
	rp, err := s.open(ctx, req.Target, "", req.TargetBranch)
	if err != nil {
		return Result{}, err
	}
	defer rp.release()
	ch, err := prepare(ctx, rp, req, vals)
	if err != nil {
		return Result{}, err
	}
	return Result{SourceCommit: src, Branch: ch.branch, Base: ch.base.Hash.String(), Changes: ch.files,
		NoChanges: len(ch.files) == 0}, nil
}

// change is what a promotion writes on a target branch: the branch, its head,
// the changed files (by repository path) and the new root tree (zero when
// nothing changes).
type change struct {
	branch string
	base   *object.Commit
	files  map[string]FileChange
	tree   plumbing.Hash
}

// prepare computes, in an open clone, the change a promotion makes on the
// target branch head. It is the one editing path: Preview stops here, Promote
// commits and pushes what it returns.
func prepare(ctx context.Context, rp *repo, req PromoteRequest, vals Values) (change, error) {
	ch := change{branch: req.TargetBranch}
	var err error
	if ch.branch == "" {
		if ch.branch, err = rp.defaultBranch(ctx); err != nil {
			return change{}, err
		}
	}
	if ch.base, err = rp.branchHead(ctx, ch.branch); err != nil {
		return change{}, err
	}
	ch.files, ch.tree, err = applyToCommit(rp, ch.base, req.TargetPath, vals)
	return ch, err
}

// Promote writes the source's values into the target application, commits
// with a message naming product, version, release and environments, and
// pushes. When the target already holds the values nothing is committed
// (Result.NoChanges). A push rejected because the branch moved is retried
// on the new head, up to MaxPushAttempts times, with a growing pause.
func (s *Store) Promote(ctx context.Context, req PromoteRequest) (Result, error) {
	vals, src, err := s.values(ctx, req)
	if err != nil {
		return Result{}, err
	}
	req.SourceCommit = src
	var res Result
	for attempt := 1; ; attempt++ {
		res, err = s.promoteOnce(ctx, req, vals, attempt == 1)
		res.Attempts, res.SourceCommit = attempt, src
		if err == nil || !isRejectedPush(err) || attempt == MaxPushAttempts {
			return res, err
		}
		pause := time.Duration(attempt*attempt) * 50 * time.Millisecond
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
}

// values returns the request's values, reading the source when needed.
func (s *Store) values(ctx context.Context, req PromoteRequest) (Values, string, error) {
	if req.Values != nil {
		return *req.Values, req.SourceCommit, nil
	}
	return s.ReadSource(ctx, req.Source, req.SourceBranch, req.SourcePath, req.SourceCommit, req.Template)
}

// promoteOnce fetches the target, applies the values on the branch head, commits and pushes
// once. When the values are already there because this very promotion landed before (its
// reply was lost, or the process stopped after the push), it returns that commit. With
// asLeft it first tries without the fetch (promoteAsLeft).
func (s *Store) promoteOnce(ctx context.Context, req PromoteRequest, vals Values, asLeft bool) (Result, error) {
	if asLeft && !req.PullRequest {
		if res, ok, err := s.promoteAsLeft(ctx, req, vals); ok || err != nil {
			return res, err
		}
	}
	branches := []string{req.TargetBranch}
	if req.PullRequest {
		branches = append(branches, PullRequestBranch(req.Product, req.ReleaseNumber, req.TargetEnv))
	}
	rp, err := s.open(ctx, req.Target, "", branches...)
	if err != nil {
		return Result{}, err
	}
	defer rp.release()
	ch, err := prepare(ctx, rp, req, vals)
	if err != nil {
		return Result{}, err
	}
	branch, base, changes, tree := ch.branch, ch.base, ch.files, ch.tree
	if len(changes) == 0 {
		if own := rp.ownCommit(base, CommitMessage(req)); own != "" {
			return Result{Commit: own, Branch: branch}, nil
		}
		return Result{NoChanges: true}, nil
	}
	force := false
	if req.PullRequest {
		branch, force = PullRequestBranch(req.Product, req.ReleaseNumber, req.TargetEnv), true
		if existing, ok := rp.sameChange(branch, base.Hash, tree); ok {
			return Result{Commit: existing, Branch: branch, Changes: changes}, nil
		}
	}
	return rp.commitAndPush(ctx, s.beforePush, req, branch, base.Hash, tree, force, changes)
}

// promoteAsLeft promotes onto the target branch as the clone last saw it, without fetching
// first. When the store pushed the branch's last commit itself, as it does promotion after
// promotion into an environment nobody else writes to, a fetch would bring nothing, and the
// push's own first exchange says where the remote branch is: the push goes ahead only when
// that is the commit the promotion was made on (pushWith). ok is false, and nothing was
// pushed, when the clone does not hold the branch, when it shows no change to make (only a
// fetch can confirm that the remote holds the values), or when the branch moved: the caller
// then fetches and starts over. A branch moved back on the remote is caught the same way,
// since the check is for equality, not for a fast-forward.
func (s *Store) promoteAsLeft(ctx context.Context, req PromoteRequest, vals Values) (res Result, ok bool, err error) {
	rp, ok, err := s.openAsLeft(ctx, req.Target)
	if !ok {
		return Result{}, false, err
	}
	defer rp.release()
	ch, err := prepare(ctx, rp, req, vals)
	if err != nil || len(ch.files) == 0 {
		return Result{}, false, nil // read again after a fetch, which also reports its own failures
	}
	res, err = rp.commitAndPush(ctx, s.beforePush, req, ch.branch, ch.base.Hash, ch.tree, false, ch.files)
	if err != nil && isRejectedPush(err) {
		return Result{}, false, nil
	}
	s.health.record(req.Target.URL, err) // the push was this promotion's contact with the remote
	return res, true, err
}

// commitAndPush stores the promotion commit and pushes it. A push whose answer was lost
// (the connection dropped after the server took it) counts when the branch now holds the
// commit.
func (rp *repo) commitAndPush(ctx context.Context, beforePush func(), req PromoteRequest, branch string, base, tree plumbing.Hash, force bool, changes map[string]FileChange) (Result, error) {
	sha, err := rp.commitTree(base, tree, req)
	if err != nil {
		return Result{}, err
	}
	c, err := rp.CommitObject(sha)
	if err != nil {
		return Result{}, err
	}
	if beforePush != nil {
		beforePush()
	}
	err = rp.push(ctx, branch, c, force)
	if err != nil && Transient(err) && rp.landed(ctx, branch, sha) {
		err = nil
	}
	if err != nil {
		return Result{}, err
	}
	// The clone now sees the branch where the push left it, as `git push` leaves its
	// remote-tracking branch, so the next promotion need not fetch (promoteAsLeft). Should
	// the reference not be written, that promotion only fetches after all.
	_ = rp.Storer.SetReference(plumbing.NewHashReference(plumbing.NewRemoteReferenceName("origin", branch), sha))
	return Result{Commit: sha.String(), Branch: branch, Changes: changes}, nil
}

// landed reports whether the remote branch holds commit sha (fetched anew).
func (rp *repo) landed(ctx context.Context, branch string, sha plumbing.Hash) bool {
	if rp.fetch(ctx, false, branch) != nil {
		return false
	}
	head, err := rp.branchHead(ctx, branch)
	if err != nil {
		return false
	}
	return rp.recent(head, func(c *object.Commit) bool { return c.Hash == sha }) != ""
}

// ownCommit returns the SHA of the latest promotion commit with message msg near head.
func (rp *repo) ownCommit(head *object.Commit, msg string) string {
	return rp.recent(head, func(c *object.Commit) bool { return c.Message == msg })
}

// recentDepth bounds how far back recent looks.
const recentDepth = 50

// recent returns the SHA of the first of the latest first-parent commits from head (as far as
// the clone holds them) that match, or "".
func (rp *repo) recent(head *object.Commit, match func(*object.Commit) bool) string {
	for c, n := head, 0; n < recentDepth; n++ {
		if match(c) {
			return c.Hash.String()
		}
		if c.NumParents() == 0 {
			return ""
		}
		p, err := rp.CommitObject(c.ParentHashes[0])
		if err != nil {
			return ""
		}
		c = p
	}
	return ""
}

// applyToCommit applies values to the application directory of a commit and
// returns the changed files (by repository path) and the new root tree.
func applyToCommit(rp *repo, base *object.Commit, dir string, vals Values) (map[string]FileChange, plumbing.Hash, error) {
	root, err := base.Tree()
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	target := appFS(root, dir)
	files, err := ApplyValues(target, vals)
	if err != nil || len(files) == 0 {
		return nil, plumbing.ZeroHash, err
	}
	changes := map[string]FileChange{}
	for name, data := range files {
		old, _ := fs.ReadFile(target, name)
		changes[prefixPath(dir, name)] = FileChange{Old: old, New: data}
	}
	tree, err := writeTree(rp.Storer, root, prefixPaths(dir, files))
	return changes, tree, err
}

// prefixPath joins a path relative to an application directory.
func prefixPath(dir, name string) string {
	if dir = cleanDir(dir); dir == "" {
		return name
	}
	return dir + "/" + name
}

// sameChange reports whether a pull-request branch already holds this
// change (a retried promotion then reuses its commit).
func (rp *repo) sameChange(branch string, parent, tree plumbing.Hash) (string, bool) {
	ref, err := rp.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		return "", false
	}
	c, err := rp.CommitObject(ref.Hash())
	if err != nil || c.TreeHash != tree || len(c.ParentHashes) != 1 || c.ParentHashes[0] != parent {
		return "", false
	}
	return c.Hash.String(), true
}

// commitTree stores the promotion commit.
func (rp *repo) commitTree(parent, tree plumbing.Hash, req PromoteRequest) (plumbing.Hash, error) {
	author := req.Author
	if author.Name == "" {
		author = Signature{Name: "Ladder", Email: "ladder@localhost"}
	}
	sig := object.Signature{Name: author.Name, Email: author.Email, When: time.Now()}
	c := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      CommitMessage(req),
		TreeHash:     tree,
		ParentHashes: []plumbing.Hash{parent},
	}
	return storeObject(rp.Storer, c)
}

// CommitMessage is the message of a promotion commit: a subject naming
// product, version and environments, then the release and trigger commit.
func CommitMessage(req PromoteRequest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Promote %s %s from %s to %s\n\n", req.Product, req.Version, req.SourceEnv, req.TargetEnv)
	fmt.Fprintf(&b, "Release: #%d", req.ReleaseNumber)
	if req.ReleaseID != "" {
		fmt.Fprintf(&b, " (%s)", req.ReleaseID)
	}
	fmt.Fprintf(&b, "\nProduct: %s\nVersion: %s\nSource: %s", req.Product, req.Version, req.SourceEnv)
	if req.SourceCommit != "" {
		fmt.Fprintf(&b, " @ %s", req.SourceCommit)
	}
	fmt.Fprintf(&b, "\nTarget: %s\n", req.TargetEnv)
	return b.String()
}

// isRejectedPush reports a push the remote refused because the branch
// moved. go-git has no sentinel for it (git.ErrNonFastForwardUpdate only
// comes from Pull): the client-side check and the server's receive-pack
// report it as text, so the text is all there is to match.
func isRejectedPush(err error) bool {
	if errors.Is(err, errBranchMoved) || errors.Is(err, git.ErrForceNeeded) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"non-fast-forward", "failed to update ref", "fetch first", "cannot lock ref"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
