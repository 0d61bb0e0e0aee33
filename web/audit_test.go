package web_test

import (
	"encoding/csv"
	"net/http"
	"testing"
)

func TestAuditExportFollowsTheFilter(t *testing.T) {
	srv := startTestServer(t)
	srv.ssoSession(t, "vera")
	viewer := srv.ssoSession(t, "vera") // a second sign-in: one "create" and one "sign-in" by vera
	tests := []struct {
		query string
		want  [][2]string // actor, action of each row, newest first
	}{
		{"?actor=vera", [][2]string{{"vera", "sign-in"}, {"vera", "create"}}},
		{"?actor=vera&kind=environment", nil},
		{"?kind=user&to=2000-01-01", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/audit.csv"+tt.query, nil)
			req.AddCookie(viewer)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			rows, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Fatalf("got %d %q, %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
			}
			if len(rows) != len(tt.want)+1 || rows[0][1] != "actor" {
				t.Fatalf("got %v, want a header and %d rows", rows, len(tt.want))
			}
			for i, w := range tt.want {
				if got := [2]string{rows[i+1][1], rows[i+1][2]}; got != w {
					t.Errorf("row %d: got %v, want %v", i+1, got, w)
				}
			}
		})
	}
}
