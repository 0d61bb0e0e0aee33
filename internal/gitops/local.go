package gitops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// localTransport reaches file:// repositories by running git upload-pack and git
// receive-pack in stateless mode, one process for each exchange, as git http-backend runs
// them. Each process is the leader of its own process group, and a cancelled exchange kills
// the whole group: the children git starts (index-pack, unpack-objects, gc) hold the process's
// pipes, and go-git's own file transport, which kills only git and then waits for those
// pipes to close, can wait forever.
type localTransport struct{}

// waitDelay bounds how long a finished or killed git's pipes are waited for.
const waitDelay = 5 * time.Second

func (localTransport) NewUploadPackSession(ep *transport.Endpoint, _ transport.AuthMethod) (transport.UploadPackSession, error) {
	return &localSession{service: "upload-pack", path: localPath(ep)}, nil
}

func (localTransport) NewReceivePackSession(ep *transport.Endpoint, _ transport.AuthMethod) (transport.ReceivePackSession, error) {
	return &localSession{service: "receive-pack", path: localPath(ep)}, nil
}

// localPath keeps a path that starts with "-" from being read as an option.
func localPath(ep *transport.Endpoint) string {
	if strings.HasPrefix(ep.Path, "-") {
		return "./" + ep.Path
	}
	return ep.Path
}

// localSession is one upload-pack or receive-pack session against a local repository.
type localSession struct {
	service string // "upload-pack" or "receive-pack"
	path    string
	refs    *packp.AdvRefs
}

func (s *localSession) Close() error { return nil }

func (s *localSession) AdvertisedReferences() (*packp.AdvRefs, error) {
	return s.AdvertisedReferencesContext(context.Background())
}

func (s *localSession) AdvertisedReferencesContext(ctx context.Context) (*packp.AdvRefs, error) {
	if s.refs != nil {
		return s.refs, nil
	}
	var out bytes.Buffer
	if err := s.run(ctx, nil, &out, "--advertise-refs"); err != nil {
		return nil, err
	}
	ar := packp.NewAdvRefs()
	if err := ar.Decode(&out); err != nil {
		if errors.Is(err, packp.ErrEmptyAdvRefs) {
			return nil, transport.ErrEmptyRemoteRepository
		}
		return nil, err
	}
	if ar.IsEmpty() && s.service == "upload-pack" {
		return nil, transport.ErrEmptyRemoteRepository
	}
	transport.FilterUnsupportedCapabilities(ar.Capabilities)
	s.refs = ar
	return ar, nil
}

// UploadPack sends the wants and haves, then "done", and returns the server's answer; the
// pack is read from git as the caller reads the answer, and closing the answer ends git.
func (s *localSession) UploadPack(ctx context.Context, req *packp.UploadPackRequest) (*packp.UploadPackResponse, error) {
	if req.IsEmpty() {
		return nil, transport.ErrEmptyUploadPackRequest
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	var in bytes.Buffer
	if err := req.UploadRequest.Encode(&in); err != nil {
		return nil, fmt.Errorf("encode upload request: %w", err)
	}
	if err := req.UploadHaves.Encode(&in, false); err != nil {
		return nil, fmt.Errorf("encode haves: %w", err)
	}
	in.WriteString("0009done\n")
	cmd, stderr := s.command(ctx, &in)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git %s: %w", s.service, err)
	}
	out := &localOutput{s: s, ctx: ctx, cmd: cmd, stdout: stdout, stderr: stderr}
	res := packp.NewUploadPackResponse(req)
	if err := res.Decode(out); err != nil {
		if cerr := out.Close(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("decode upload-pack response: %w", err)
	}
	return res, nil
}

// localOutput is a running git's output. Close kills git if its output was not read to the
// end, and waits for it.
type localOutput struct {
	s      *localSession
	ctx    context.Context
	cmd    *exec.Cmd
	stdout io.Reader
	stderr *bytes.Buffer
	eof    bool
	closed bool
}

func (o *localOutput) Read(p []byte) (int, error) {
	n, err := o.stdout.Read(p)
	if err == io.EOF {
		o.eof = true
	}
	return n, err
}

func (o *localOutput) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	if !o.eof {
		killGroup(o.cmd)
	}
	err := o.cmd.Wait()
	if err != nil && o.eof {
		return o.s.failure(o.ctx, err, o.stderr)
	}
	return nil
}

// ReceivePack sends the reference updates and the pack and returns the server's report.
func (s *localSession) ReceivePack(ctx context.Context, req *packp.ReferenceUpdateRequest) (*packp.ReportStatus, error) {
	var in bytes.Buffer
	if err := req.Encode(&in); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := s.run(ctx, &in, &out); err != nil {
		return nil, err
	}
	if !req.Capabilities.Supports(capability.ReportStatus) {
		return nil, nil
	}
	report := packp.NewReportStatus()
	if err := report.Decode(demux(req.Capabilities, &out)); err != nil {
		return nil, fmt.Errorf("decode receive-pack report: %w", err)
	}
	return report, report.Error()
}

// run runs git's service on the repository with in as its input and its output into out.
func (s *localSession) run(ctx context.Context, in io.Reader, out io.Writer, args ...string) error {
	cmd, stderr := s.command(ctx, in, args...)
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		return s.failure(ctx, err, stderr)
	}
	return nil
}

// command prepares git's service on the repository, in its own process group so that
// cancelling ctx kills git and every process it started.
func (s *localSession) command(ctx context.Context, in io.Reader, args ...string) (*exec.Cmd, *bytes.Buffer) {
	args = append(append([]string{s.service, "--stateless-rpc"}, args...), s.path)
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stdin = in
	stderr := &bytes.Buffer{} // git writes a line or two there
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay
	return cmd, stderr
}

// killGroup kills a started git and the processes it started.
func killGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// failure turns a git that failed into the error go-git's transports give.
func (s *localSession) failure(ctx context.Context, err error, stderr *bytes.Buffer) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "does not appear to be a git repository") {
		return transport.ErrRepositoryNotFound
	}
	if msg == "" {
		return fmt.Errorf("git %s: %w", s.service, err)
	}
	return fmt.Errorf("git %s: %s", s.service, oneLine(msg))
}
