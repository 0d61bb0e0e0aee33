// Package gitserver serves real bare Git repositories for tests and the load tool: smart HTTP
// through `git http-backend` (with Basic or bearer token auth and switches for network faults)
// and SSH through golang.org/x/crypto/ssh running `git upload-pack` / `git receive-pack`.
// Both listen on 127.0.0.1 only. The git command line must be installed.
package gitserver

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// gitEnv keeps the server's git away from the machine's and the user's configuration.
var gitEnv = []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=Other", "GIT_AUTHOR_EMAIL=other@example.com",
	"GIT_COMMITTER_NAME=Other", "GIT_COMMITTER_EMAIL=other@example.com"}

// git runs the git command line with extra environment and returns its trimmed output.
func git(env []string, stdin []byte, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Env = append(append(os.Environ(), gitEnv...), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// Init creates an empty bare repository named name (for example "app.git") under root, with
// main as its default branch, and returns its directory.
func Init(root, name string) (string, error) {
	dir := filepath.Join(root, filepath.FromSlash(name))
	if _, err := git(nil, nil, "init", "-q", "--bare", "-b", "main", dir); err != nil {
		return "", err
	}
	return dir, nil
}

// Commit writes files (path → content) on top of branch in the bare repository dir, as
// another user pushing would, and returns the new commit's SHA. The branch is created when
// missing; other files stay as they were.
func Commit(dir, branch, message string, files map[string]string) (string, error) {
	index, err := os.CreateTemp("", "gitserver-index-")
	if err != nil {
		return "", err
	}
	index.Close()
	os.Remove(index.Name()) // git wants to create the index itself
	defer os.Remove(index.Name())
	env := []string{"GIT_DIR=" + dir, "GIT_INDEX_FILE=" + index.Name()}
	ref := "refs/heads/" + branch
	parent, _ := git(env, nil, "rev-parse", "-q", "--verify", ref+"^{commit}")
	if parent != "" {
		if _, err := git(env, nil, "read-tree", parent); err != nil {
			return "", err
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		blob, err := git(env, []byte(files[name]), "hash-object", "-w", "--stdin")
		if err != nil {
			return "", err
		}
		if _, err := git(env, nil, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+name); err != nil {
			return "", err
		}
	}
	tree, err := git(env, nil, "write-tree")
	if err != nil {
		return "", err
	}
	args := []string{"commit-tree", tree, "-m", message}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	sha, err := git(env, nil, args...)
	if err != nil {
		return "", err
	}
	_, err = git(env, nil, "update-ref", ref, sha)
	return sha, err
}

// Head returns the commit SHA branch points to in the bare repository dir.
func Head(dir, branch string) (string, error) {
	return git([]string{"GIT_DIR=" + dir}, nil, "rev-parse", "refs/heads/"+branch)
}
