package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
)

// DefaultTimeout bounds one network operation (a fetch or a push) when Store.Timeout is 0.
const DefaultTimeout = 2 * time.Minute

// fullDepth is what `git fetch --unshallow` asks for.
const fullDepth = 0x7fffffff

// errBranchMoved reports a push refused because the branch is no longer where the commit
// was made (another push came first); Promote retries on the new head.
var errBranchMoved = errors.New("branch moved")

// timeout returns the store's bound on one network operation.
func (s *Store) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

// session opens a transport to the remote under the store's deadline. done must be called.
func (r *repo) session(ctx context.Context) (transport.Transport, *transport.Endpoint, context.Context, context.CancelFunc, error) {
	ep, err := transport.NewEndpoint(r.remote.URL)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("repository URL %q: %w", r.remote.URL, err)
	}
	withIdleTimeout(ep, r.timeout)
	var cl transport.Transport = localTransport{}
	if ep.Protocol != "file" {
		if cl, err = client.NewClient(ep); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("repository URL %q: %w", r.remote.URL, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	return cl, ep, ctx, cancel, nil
}

// fetch brings branches (every branch when none is named; "" is the remote's default branch)
// up to date in the clone as refs/remotes/origin/*. A branch the clone has never held is
// fetched with depth 1, as `git clone --depth 1` does; later fetches bring only the new
// commits. deepen fetches the whole history instead.
func (r *repo) fetch(ctx context.Context, deepen bool, branches ...string) error {
	cl, ep, ctx, cancel, err := r.session(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	err = r.fetchWith(ctx, cl, ep, deepen, branches)
	return netError(ctx, "fetch", r.remote, r.timeout, err)
}

func (r *repo) fetchWith(ctx context.Context, cl transport.Transport, ep *transport.Endpoint, deepen bool, branches []string) error {
	sess, err := cl.NewUploadPackSession(ep, r.auth)
	if err != nil {
		return err
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil
	}
	if err != nil {
		return err
	}
	heads, def, err := advertisedHeads(ar)
	if err != nil {
		return err
	}
	r.defaultName = def
	wanted := pickBranches(heads, def, branches)
	req := packp.NewUploadPackRequestFromCapabilities(ar.Capabilities)
	newBranch := false
	for name, h := range wanted {
		if _, err := r.Reference(plumbing.NewRemoteReferenceName("origin", name), true); err != nil {
			newBranch = true
		}
		if deepen || r.Storer.HasEncodedObject(h) != nil {
			req.Wants = append(req.Wants, h)
		}
	}
	if len(req.Wants) > 0 {
		if err := r.download(ctx, sess, req, deepen, newBranch); err != nil {
			return err
		}
	}
	return r.updateRefs(heads, wanted, def, len(branches) == 0)
}

// download asks for the wanted commits and stores the pack the server sends.
func (r *repo) download(ctx context.Context, sess transport.UploadPackSession, req *packp.UploadPackRequest, deepen, newBranch bool) error {
	var err error
	if req.Shallows, err = r.Storer.Shallow(); err != nil {
		return err
	}
	req.Haves = r.haves()
	switch {
	case deepen:
		req.Depth = packp.DepthCommits(fullDepth)
	case newBranch || len(req.Haves) == 0:
		req.Depth = packp.DepthCommits(1)
	}
	if !req.Depth.IsZero() || len(req.Shallows) > 0 {
		if err := req.Capabilities.Set(capability.Shallow); err != nil {
			return err
		}
	}
	slices.SortFunc(req.Wants, func(a, b plumbing.Hash) int { return strings.Compare(a.String(), b.String()) })
	req.Wants = slices.Compact(req.Wants)
	resp, err := sess.UploadPack(ctx, req)
	if err != nil {
		return err
	}
	defer resp.Close()
	if err := r.updateShallow(resp.Shallows, resp.Unshallows); err != nil {
		return err
	}
	return packfile.UpdateObjectStorage(r.Storer, demux(req.Capabilities, resp))
}

// demux reads what the server sends on band 1 when the exchange's capabilities ask for side
// bands, and r itself otherwise.
func demux(caps *capability.List, r io.Reader) io.Reader {
	switch {
	case caps.Supports(capability.Sideband64k):
		return sideband.NewDemuxer(sideband.Sideband64k, r)
	case caps.Supports(capability.Sideband):
		return sideband.NewDemuxer(sideband.Sideband, r)
	}
	return r
}

// haves lists the commits the clone's remote branches point to, for the server to leave out.
func (r *repo) haves() []plumbing.Hash {
	refs, err := r.References()
	if err != nil {
		return nil
	}
	defer refs.Close()
	var out []plumbing.Hash
	refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference && ref.Name().IsRemote() && r.Storer.HasEncodedObject(ref.Hash()) == nil {
			out = append(out, ref.Hash())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b plumbing.Hash) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out)
}

// updateShallow records the commits the server says are now (or no longer) history's edge.
func (r *repo) updateShallow(add, remove []plumbing.Hash) error {
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	cur, err := r.Storer.Shallow()
	if err != nil {
		return err
	}
	cur = slices.DeleteFunc(append(cur, add...), func(h plumbing.Hash) bool { return slices.Contains(remove, h) })
	slices.SortFunc(cur, func(a, b plumbing.Hash) int { return strings.Compare(a.String(), b.String()) })
	return r.Storer.SetShallow(slices.Compact(cur))
}

// advertisedHeads returns the remote's branches and its default branch.
func advertisedHeads(ar *packp.AdvRefs) (map[string]plumbing.Hash, string, error) {
	refs, err := ar.AllReferences()
	if err != nil {
		return nil, "", err
	}
	heads := map[string]plumbing.Hash{}
	def := ""
	for name, ref := range refs {
		switch {
		case name.IsBranch() && ref.Type() == plumbing.HashReference:
			heads[name.Short()] = ref.Hash()
		case name == plumbing.HEAD && ref.Type() == plumbing.SymbolicReference:
			def = ref.Target().Short()
		}
	}
	if def == "" && ar.Head != nil {
		for name, h := range heads {
			if h == *ar.Head && (def == "" || name == "main" || name == "master") {
				def = name
			}
		}
	}
	if def == "" {
		def = "main"
	}
	return heads, def, nil
}

// pickBranches returns the requested branches the remote has ("" is the default branch).
func pickBranches(heads map[string]plumbing.Hash, def string, branches []string) map[string]plumbing.Hash {
	if len(branches) == 0 {
		return heads
	}
	out := map[string]plumbing.Hash{}
	for _, b := range branches {
		if b == "" {
			b = def
		}
		if h, ok := heads[b]; ok {
			out[b] = h
		}
	}
	return out
}

// updateRefs points refs/remotes/origin/<branch> at the fetched heads and drops branches the
// remote no longer has (all of them after a full fetch, else only the requested ones).
func (r *repo) updateRefs(heads, fetched map[string]plumbing.Hash, def string, all bool) error {
	if _, ok := heads[def]; ok {
		head := plumbing.NewSymbolicReference(plumbing.NewRemoteReferenceName("origin", "HEAD"), plumbing.NewRemoteReferenceName("origin", def))
		if err := r.Storer.SetReference(head); err != nil {
			return err
		}
	}
	for name, h := range fetched {
		if err := r.Storer.SetReference(plumbing.NewHashReference(plumbing.NewRemoteReferenceName("origin", name), h)); err != nil {
			return err
		}
	}
	refs, err := r.References()
	if err != nil {
		return err
	}
	var stale []plumbing.ReferenceName
	refs.ForEach(func(ref *plumbing.Reference) error {
		short, ok := strings.CutPrefix(ref.Name().String(), "refs/remotes/origin/")
		if ok && short != "HEAD" && heads[short].IsZero() && (all || fetched[short].IsZero()) {
			stale = append(stale, ref.Name())
		}
		return nil
	})
	refs.Close()
	for _, name := range stale {
		if err := r.Storer.RemoveReference(name); err != nil {
			return err
		}
	}
	return nil
}

// push sends commit sha, with only the objects it adds to its parent, to branch. Unless
// force, the remote branch must still be at the parent; otherwise errBranchMoved.
func (r *repo) push(ctx context.Context, branch string, c *object.Commit, force bool) error {
	cl, ep, ctx, cancel, err := r.session(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	err = r.pushWith(ctx, cl, ep, branch, c, force)
	if errors.Is(err, errBranchMoved) {
		return fmt.Errorf("push %s to %s: %w", branch, r.remote.URL, err)
	}
	return netError(ctx, "push", r.remote, r.timeout, err)
}

func (r *repo) pushWith(ctx context.Context, cl transport.Transport, ep *transport.Endpoint, branch string, c *object.Commit, force bool) error {
	sess, err := cl.NewReceivePackSession(ep, r.auth)
	if err != nil {
		return err
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return err
	}
	cur := plumbing.ZeroHash
	if ar != nil {
		if heads, _, err := advertisedHeads(ar); err == nil {
			cur = heads[branch]
		}
	}
	if !force && (len(c.ParentHashes) != 1 || cur != c.ParentHashes[0]) {
		return errBranchMoved
	}
	objects, err := newObjects(r.Storer, c)
	if err != nil {
		return err
	}
	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	req.Commands = []*packp.Command{{Name: plumbing.NewBranchReferenceName(branch), Old: cur, New: c.Hash}}
	rd, wr := io.Pipe()
	req.Packfile = rd
	done := make(chan error, 1)
	go func() {
		_, err := packfile.NewEncoder(wr, r.Storer, !ar.Capabilities.Supports(capability.OFSDelta)).Encode(objects, 10)
		done <- wr.CloseWithError(err)
	}()
	rs, err := sess.ReceivePack(ctx, req)
	rd.Close()
	if perr := <-done; err == nil && perr != nil && !errors.Is(perr, io.ErrClosedPipe) {
		err = perr
	}
	if err != nil {
		return err
	}
	if rs != nil {
		if err := rs.Error(); err != nil {
			if isRejectedPush(err) {
				return fmt.Errorf("%w: %v", errBranchMoved, oneLine(err.Error()))
			}
			return err
		}
	}
	return nil
}
