package gitops

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"golang.org/x/net/proxy"
)

// go-git dials SSH remotes under no deadline but the TCP connect's: a server that accepts the
// connection and then says nothing holds the SSH handshake, and the job, forever (the caller's
// context is not consulted until the session exists). Its only hook into the dial is the
// endpoint's proxy, so Ladder names a "proxy" of its own: idleScheme dials directly and fails
// any read or write after the server has been silent for the time in the URL's idle
// parameter.
const idleScheme = "ladder-idle"

func init() {
	proxy.RegisterDialerType(idleScheme, func(u *url.URL, _ proxy.Dialer) (proxy.Dialer, error) {
		idle, err := time.ParseDuration(u.Query().Get("idle"))
		if err != nil || idle <= 0 {
			return nil, fmt.Errorf("%s: idle %q: want a positive duration", idleScheme, u.Query().Get("idle"))
		}
		return idleDialer{idle: idle}, nil
	})
}

// withIdleTimeout makes an SSH endpoint's connection fail after idle of silence. Other
// protocols (and an endpoint with a proxy of its own) are left as they are: HTTP requests run
// under the operation's context already.
func withIdleTimeout(ep *transport.Endpoint, idle time.Duration) {
	if ep.Protocol != "ssh" || ep.Proxy.URL != "" {
		return
	}
	ep.Proxy = transport.ProxyOptions{URL: idleScheme + "://direct/?idle=" + idle.String()}
}

type idleDialer struct{ idle time.Duration }

func (d idleDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

func (d idleDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &idleConn{Conn: c, idle: d.idle}, nil
}

// idleConn moves its deadline on with every read and write.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}
