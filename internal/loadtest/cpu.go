package loadtest

import (
	"syscall"
	"time"
)

// CPUTime is the user and system CPU time used so far by this process and its waited-for
// children (such as the git processes that serve file:// remotes).
func CPUTime() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	var total time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		total += time.Duration(tv.Nano())
	}
	return total
}
