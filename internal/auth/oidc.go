package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig is how Ladder talks to the identity provider.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // PUBLIC_URL/auth/callback
	Scopes       []string
	GroupsClaim  string // the ID token claim that lists the user's groups
	// Timeout bounds each call to the provider (discovery, keys, code, userinfo); default 10 s.
	Timeout time.Duration
}

// OIDC signs people in with an OpenID Connect provider: authorization code flow with PKCE
// (S256), state and nonce checked, the ID token verified against the provider's keys, and the
// userinfo endpoint read when the ID token lacks the profile, e-mail or groups. The provider is
// discovered at first use, so Ladder starts even while the provider is down; every call to it
// is bounded by the configured timeout.
type OIDC struct {
	cfg      OIDCConfig
	client   *http.Client
	mu       sync.Mutex
	provider *oidc.Provider
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// NewOIDC returns single sign-on with cfg, or nil when no issuer is configured.
func NewOIDC(cfg OIDCConfig) *OIDC {
	if cfg.Issuer == "" {
		return nil
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &OIDC{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}}
}

// ErrRefused means the identity provider's answer did not prove who signed in: wrong state,
// wrong nonce, an invalid token, or an error from the provider.
var ErrRefused = errors.New("single sign-on refused")

// ErrUnreachable means the identity provider did not answer (in time, or at all).
var ErrUnreachable = errors.New("the sign-in provider cannot be reached")

// bounded returns ctx carrying the HTTP client whose timeout bounds every call to the provider.
func (o *OIDC) bounded(ctx context.Context) context.Context { return oidc.ClientContext(ctx, o.client) }

// NewFlow returns fresh random state, nonce and PKCE verifier for one sign-in attempt.
func NewFlow(next string) Flow {
	return Flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(), Next: next}
}

// AuthURL is where to send the browser to sign in for the attempt f.
func (o *OIDC) AuthURL(ctx context.Context, f Flow) (string, error) {
	conf, _, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	return conf.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), nil
}

// Claims is who the provider says signed in.
type Claims struct {
	Subject  string // issuer|sub: stable and unique across providers
	Username string // preferred_username, else name
	Name     string // the display name
	Email    string
	Groups   []string
}

// Exchange finishes the attempt f with the state and code the provider sent back: it checks the
// state, redeems the code with the PKCE verifier, verifies the ID token (signature, issuer,
// audience, expiry) and its nonce, and returns the claims.
func (o *OIDC) Exchange(ctx context.Context, f Flow, state, code string) (Claims, error) {
	if state == "" || state != f.State {
		return Claims{}, fmt.Errorf("%w: the state does not match this browser's sign-in attempt", ErrRefused)
	}
	conf, verifier, err := o.discover(ctx)
	if err != nil {
		return Claims{}, err
	}
	ctx = o.bounded(ctx)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	var answered *oauth2.RetrieveError
	if err != nil && !errors.As(err, &answered) {
		return Claims{}, fmt.Errorf("%w: redeem code: %v", ErrUnreachable, err)
	}
	if err != nil {
		return Claims{}, fmt.Errorf("%w: redeem code: %v", ErrRefused, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Claims{}, fmt.Errorf("%w: no ID token in the answer", ErrRefused)
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: verify ID token: %v", ErrRefused, err)
	}
	if idt.Nonce != f.Nonce {
		return Claims{}, fmt.Errorf("%w: the ID token's nonce does not match this sign-in attempt", ErrRefused)
	}
	var all map[string]any
	if err := idt.Claims(&all); err != nil {
		return Claims{}, fmt.Errorf("%w: read claims: %v", ErrRefused, err)
	}
	c := o.claims(idt.Issuer, idt.Subject, all)
	if c.Username == "" || c.Email == "" || all[o.cfg.GroupsClaim] == nil {
		return o.withUserinfo(ctx, c, idt.Subject, tok)
	}
	return c, nil
}

// claims reads who signed in from an ID token's or userinfo's claims.
func (o *OIDC) claims(issuer, subject string, all map[string]any) Claims {
	str := func(k string) string { s, _ := all[k].(string); return s }
	c := Claims{Subject: issuer + "|" + subject, Username: str("preferred_username"), Name: str("name"),
		Email: str("email"), Groups: groups(all[o.cfg.GroupsClaim])}
	if c.Username == "" {
		c.Username = c.Name
	}
	return c
}

// withUserinfo fills in what the ID token lacked from the provider's userinfo endpoint (many
// providers put only `sub` in the ID token). The userinfo must be about the same subject.
func (o *OIDC) withUserinfo(ctx context.Context, c Claims, subject string, tok *oauth2.Token) (Claims, error) {
	o.mu.Lock()
	provider := o.provider
	o.mu.Unlock()
	if provider.UserInfoEndpoint() == "" {
		return c, nil // nothing more to learn
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return Claims{}, fmt.Errorf("%w: userinfo: %v", ErrUnreachable, err)
	}
	if info.Subject != subject {
		return Claims{}, fmt.Errorf("%w: userinfo is about another subject", ErrRefused)
	}
	var all map[string]any
	if err := info.Claims(&all); err != nil {
		return Claims{}, fmt.Errorf("%w: read userinfo: %v", ErrRefused, err)
	}
	more := o.claims("", subject, all)
	c.Username = cmp.Or(c.Username, more.Username)
	c.Name = cmp.Or(c.Name, more.Name)
	c.Email = cmp.Or(c.Email, more.Email)
	if c.Groups == nil {
		c.Groups = more.Groups
	}
	return c, nil
}

// groups reads a groups claim, which providers send as a list of strings or a single string.
func groups(v any) []string {
	switch g := v.(type) {
	case string:
		return []string{g}
	case []any:
		out := make([]string, 0, len(g))
		for _, item := range g {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (o *OIDC) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	// The provider keeps the context to fetch signing keys later: it must outlive this request,
	// and carry the client whose timeout bounds those calls too.
	provider, err := oidc.NewProvider(o.bounded(context.WithoutCancel(ctx)), o.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: discover %s: %v", ErrUnreachable, o.cfg.Issuer, err)
	}
	scopes := o.cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	o.provider = provider
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
		RedirectURL: o.cfg.RedirectURL, Endpoint: provider.Endpoint(), Scopes: scopes}
	o.verifier = provider.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	return o.oauth, o.verifier, nil
}
