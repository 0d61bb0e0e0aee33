package views

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"ladder/internal/release"
)

// BenchmarkReleaseListBody renders the releases list's 50 rows, three environments each: the
// template's share of a list rendered anew, every row drawn, and with the rows kept from the
// rendering before.
func BenchmarkReleaseListBody(b *testing.B) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	list := ReleaseList{Now: now, Next: "/releases?before=x"}
	statuses := []string{release.Succeeded, release.Running, release.Failed}
	for i := range 50 {
		list.Releases = append(list.Releases, release.Row{ID: fmt.Sprintf("01JX%020d", i), Product: "product-3",
			Number: int64(1000 + i), Flow: "main", Version: "1.2." + fmt.Sprint(i), Status: statuses[i%3],
			CreatedAt: now.Add(-time.Duration(i) * time.Hour),
			Statuses:  "0:dev:" + release.Succeeded + ",1:staging:" + statuses[i%3] + ",2:prod:" + release.Pending})
	}
	b.Run("rendered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := ReleaseListBody(list).Render(context.Background(), io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rows kept", func(b *testing.B) {
		list.Rows = NewRowMemo()
		b.ReportAllocs()
		for b.Loop() {
			if err := ReleaseListBody(list).Render(context.Background(), io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}
