package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFile is the file in the data directory that `ladder serve` holds an exclusive lock on
// while it runs.
const LockFile = "ladder.lock"

// ErrDataDirInUse means another Ladder serves from the same data directory.
var ErrDataDirInUse = errors.New("another Ladder is already serving from this data directory")

// lockDataDir takes the exclusive lock on dir, so that two servers never share one data
// directory (the second would take over the first one's job leases). The operating system
// releases the lock when the process ends, however it ends; unlock releases it before.
func lockDataDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s): stop it first, or give this one another --data", ErrDataDirInUse, dir)
		}
		return nil, fmt.Errorf("lock data directory %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
