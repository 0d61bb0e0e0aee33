package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// adminPassword is the local admin's first password in every scenario, and newPassword the
// one it is changed to at the first sign-in (Ladder asks for that).
const (
	adminPassword = "load-test-admin-password"
	newPassword   = "load-test-admin-password-changed"
)

// signIn signs the local admin in as a browser does and returns the session cookie header.
func signIn(ctx context.Context, base string) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	resp, err := post("/login", url.Values{"name": {"admin"}, "password": {newPassword}})
	if err == nil && resp.StatusCode == http.StatusUnauthorized { // first sign-in on this data directory
		resp, err = post("/login", url.Values{"name": {"admin"}, "password": {adminPassword}})
		if err == nil && resp.Header.Get("Location") == "/account/password" {
			resp, err = post("/account/password", url.Values{"current": {adminPassword}, "new": {newPassword}, "confirm": {newPassword}})
		}
	}
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("sign in: got %d, want 303", resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return strings.Join(cookies, "; "), nil
}
