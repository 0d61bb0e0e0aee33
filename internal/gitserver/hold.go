package gitserver

import (
	"fmt"
	"net/netip"
	"syscall"
)

// portHold keeps a TCP port of 127.0.0.1 bound without listening on it: connections to it are
// refused, and no other process can take the port meanwhile (as one could after a plain
// close, and then answer, or reset, in the server's place).
type portHold struct{ fd int }

// holdPort binds addr ("127.0.0.1:port") without listening.
func holdPort(addr string) (*portHold, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, err
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("hold port %s: %w", addr, err)
	}
	// Without SO_REUSEADDR, so that a listener with it (as every Go listener has) cannot bind
	// beside this socket. That is also why Refuse resets the server's connections: one left in
	// TIME_WAIT would keep this bind from succeeding.
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("hold port %s: %w", addr, err)
	}
	return &portHold{fd: fd}, nil
}

// release frees the port.
func (h *portHold) release() {
	if h != nil {
		syscall.Close(h.fd)
	}
}
