package loadtest

import (
	"syscall"
	"time"
)

// CPUTime is the user and system CPU time used so far by this process and its waited-for
// children (such as the git processes that serve file:// remotes).
func CPUTime() time.Duration {
	self, children := CPUTimes()
	return self + children
}

// CPUTimes is CPUTime in its two parts: this process's, and its waited-for children's.
func CPUTimes() (self, children time.Duration) {
	var s, c syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c)
	return time.Duration(s.Utime.Nano() + s.Stime.Nano()), time.Duration(c.Utime.Nano() + c.Stime.Nano())
}
