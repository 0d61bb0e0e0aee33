package views

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"ladder/internal/release"
)

// TestRowMemoDrawsWhatTheTemplateDraws: a list drawn with kept rows is byte for byte the list
// drawn without, the first time, the second time, and after a release's status, an
// environment's status or the time moved.
func TestRowMemoDrawsWhatTheTemplateDraws(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	list := ReleaseList{Now: now}
	for i := range 20 {
		list.Releases = append(list.Releases, release.Row{ID: fmt.Sprintf("01JX%020d", i), Product: "shop",
			Number: int64(i + 1), Flow: "main", Version: fmt.Sprintf("1.0.%d", i), Status: release.Running,
			CreatedAt: now.Add(-time.Duration(i) * 7 * time.Minute),
			Statuses:  "0:dev:" + release.Succeeded + ",1:prod:" + release.Running})
	}
	draw := func(l ReleaseList) string {
		t.Helper()
		var b bytes.Buffer
		if err := ReleaseListBody(l).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	kept := list
	kept.Rows = NewRowMemo()
	same := func(when string) {
		t.Helper()
		want, got := draw(list), draw(kept)
		if got != want {
			t.Fatalf("%s: with kept rows the list is\n%s\nwant\n%s", when, got, want)
		}
	}
	same("first")
	same("again")
	list.Releases[3].Status = release.Failed
	list.Releases[3].Statuses = "0:dev:" + release.Succeeded + ",1:prod:" + release.Failed
	list.Releases[5].Statuses = "0:dev:" + release.Succeeded + ",1:prod:" + release.Succeeded
	kept.Releases = list.Releases
	same("after statuses changed")
	list.Now, kept.Now = now.Add(3*time.Hour), now.Add(3*time.Hour)
	same("three hours later")
}

// TestRowMemoStaysBounded: the memo keeps at most two generations of rows.
func TestRowMemoStaysBounded(t *testing.T) {
	m := NewRowMemo()
	for i := range 5 * rowMemoSize {
		m.put(rowKey{id: fmt.Sprint(i)}, []byte("<tr></tr>"))
	}
	if n := len(m.cur) + len(m.old); n > 2*rowMemoSize {
		t.Fatalf("the memo holds %d rows, want at most %d", n, 2*rowMemoSize)
	}
	if _, ok := m.get(rowKey{id: fmt.Sprint(5*rowMemoSize - 1)}); !ok {
		t.Fatal("the newest row is not kept")
	}
}
