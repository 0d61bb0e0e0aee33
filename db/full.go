package db

import (
	"errors"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDiskFull is what callers may show when a write failed because the disk holding the data
// directory (or the database's size limit) is full.
var ErrDiskFull = errors.New("Ladder's disk is full: free space on the disk of its data directory, then try again")

// DiskFull reports whether err is SQLite's "database or disk is full" or the system's "no
// space left on device".
func DiskFull(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, ErrDiskFull)
}
