package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// requestTimeout bounds one request of the pages and busy scenarios, from writing it to
// reading the last byte of its answer.
const requestTimeout = 10 * time.Second

// conn is one connection of the pages and busy scenarios' clients: HTTP/1.1 over a TCP
// connection kept open, each request written in one write and each answer read through a
// 64 KB buffer, by the goroutine that asks. net/http's client hands every request to two
// goroutines of its own, one writing it and one reading the answer 4 KB at a time: in busy
// runs that took about a third of this process's CPU, on the two cores the server measured
// needs too. The answer is still parsed by net/http (http.ReadResponse).
type conn struct {
	host string // host:port dialled
	head string // the request's header lines after the request line, and the blank line
	c    net.Conn
	r    *bufio.Reader
}

// newConn returns a connection for target t, dialled at its first request.
func newConn(t target) (*conn, error) {
	u, err := url.Parse(t.url)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%s: only http:// is driven", t.url)
	}
	head := "Host: " + u.Host + "\r\nUser-Agent: ladder-load\r\n"
	if t.cred.header != "" {
		head += t.cred.header + ": " + t.cred.value + "\r\n"
	}
	if t.encoding != "" {
		head += "Accept-Encoding: " + t.encoding + "\r\n"
	}
	return &conn{host: u.Host, head: head + "\r\n"}, nil
}

// get asks for path (with its query) and reads the whole answer as sent (a compressed one is
// not unpacked: that is the browser's work, on its own machine); anything but 200 is an
// error. A connection that fails, or that the server closes, is dialled again next time.
func (c *conn) get(ctx context.Context, path string) error {
	if c.c == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", c.host)
		if err != nil {
			return err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	if err := c.c.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		c.close()
		return err
	}
	if _, err := io.WriteString(c.c, "GET "+path+" HTTP/1.1\r\n"+c.head); err != nil {
		c.close()
		return err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return nil
}

// close closes the connection; the next request dials a new one.
func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}
