package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cpuTicks is the machine's CPU time so far, in the kernel's ticks: all of it, and the part
// the hypervisor gave to other guests while this machine wanted it (steal).
type cpuTicks struct{ total, steal uint64 }

// readCPUTicks reads the machine's CPU time from /proc/stat; ok is false where it cannot
// (another system, or a kernel that does not count steal).
func readCPUTicks() (t cpuTicks, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return t, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return t, false
	}
	return parseCPULine(line)
}

// parseCPULine reads /proc/stat's first line:
// cpu user nice system idle iowait irq softirq steal guest guest_nice
// (guest time is already counted in user and nice).
func parseCPULine(line string) (t cpuTicks, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return t, false
	}
	for i, f := range fields[1:9] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return t, false
		}
		t.total += n
		if i == 7 {
			t.steal = n
		}
	}
	return t, true
}

// stealSince says what share of the machine's CPU time since before the hypervisor took, or
// "unknown".
func stealSince(before cpuTicks, known bool) string {
	after, ok := readCPUTicks()
	if !known || !ok || after.total <= before.total {
		return "unknown"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(after.steal-before.steal)/float64(after.total-before.total))
}
