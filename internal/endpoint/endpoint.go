// Package endpoint describes how Ladder reaches a third party's HTTPS API (Argo CD, Argo
// Workflows, Git providers): the URL it accepts, the TLS trust an admin chose for the server,
// and the JSON request every client sends.
package endpoint

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"
)

// TLS is how a client trusts a server: a CA bundle (PEM) besides the system's roots, or no
// verification at all.
type TLS struct {
	Insecure bool
	CABundle string
}

// ValidURL reports whether s is an http(s) address with a host and no credentials in it.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// ValidCABundle reports whether pem holds at least one PEM certificate.
func ValidCABundle(pem string) bool {
	return x509.NewCertPool().AppendCertsFromPEM([]byte(pem))
}

// Client returns an HTTP client with a 30 s timeout that trusts servers as t says; with no TLS
// settings it uses http.DefaultTransport's trust.
func Client(t TLS) (*http.Client, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	if !t.Insecure && t.CABundle == "" {
		return c, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: t.Insecure} //nolint:gosec // an admin's explicit choice per server
	if t.CABundle != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(t.CABundle)) {
			return nil, errors.New("CA bundle holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	c.Transport = tr
	return c, nil
}

// NewRequest returns a request to url that carries in as JSON (no body when in is nil) and
// asks for JSON back; the caller adds its credentials.
func NewRequest(ctx context.Context, method, url string, in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
