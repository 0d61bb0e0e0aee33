package auth

import (
	"net/http"
	"testing"
)

// TestSentCookieFindsWhatRequestCookieFinds: the session's value is read without parsing every
// cookie, and must be the one net/http would have found, or none when it finds none.
func TestSentCookieFindsWhatRequestCookieFinds(t *testing.T) {
	for _, lines := range [][]string{
		{"ladder_session=abc"},
		{"a=1; ladder_session=abc; b=2"},
		{"a=1;ladder_session=abc"},
		{"  ladder_session=abc  "},
		{"ladder_session=first; ladder_session=second"},
		{"a=1", "ladder_session=in-the-second-line"},
		{"ladder_session_old=x; ladder_session=abc"},
		{"xladder_session=abc"},
		{"ladder_session_old=x"},
		{"ladder_session"},
		{"ladder_session="},
		{""},
		{},
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header["Cookie"] = lines
		got, ok := sentCookie(r, CookieName)
		c, err := r.Cookie(CookieName)
		if ok != (err == nil) || (ok && got != c.Value) {
			t.Errorf("Cookie: %q: got %q, %v; net/http finds %v, %v", lines, got, ok, c, err)
		}
	}
}
