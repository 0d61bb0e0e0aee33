package views

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"

	"github.com/a-h/templ"

	"ladder/internal/release"
)

// RowMemo keeps the releases list's rendered rows by everything a row shows, so a list
// rendered again (after one release changed, for another filter or page) renders only the
// rows it has not drawn before. A row's key is its content, so nothing needs to forget a
// row when a release changes: the changed release simply has a new key.
//
// It holds two generations of at most rowMemoSize rows each: when the current one is full it
// becomes the previous one, and rows read from the previous one move to the current one.
type RowMemo struct {
	mu       sync.Mutex
	cur, old map[rowKey][]byte
}

const rowMemoSize = 2000

// rowKey is what a releases list row shows. Product, number and creation time are fixed for
// an ID.
type rowKey struct {
	id, status, version, flow, envs, ago string
}

// NewRowMemo returns an empty memo.
func NewRowMemo() *RowMemo {
	return &RowMemo{cur: map[rowKey][]byte{}, old: map[rowKey][]byte{}}
}

// row is r's row in a list rendered at now, from the memo when it has it (m may be nil).
func (m *RowMemo) row(r release.Row, now time.Time) templ.Component {
	ago := Ago(r.CreatedAt, now)
	if m == nil {
		return releaseRow(r, ago)
	}
	key := rowKey{id: r.ID, status: r.Status, version: r.Version, flow: r.Flow, envs: r.Statuses, ago: ago}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if b, ok := m.get(key); ok {
			_, err := w.Write(b)
			return err
		}
		var buf bytes.Buffer
		if err := releaseRow(r, ago).Render(ctx, &buf); err != nil {
			return err
		}
		m.put(key, buf.Bytes())
		_, err := w.Write(buf.Bytes())
		return err
	})
}

func (m *RowMemo) get(k rowKey) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b, ok := m.cur[k]; ok {
		return b, true
	}
	b, ok := m.old[k]
	if ok {
		m.putLocked(k, b)
	}
	return b, ok
}

func (m *RowMemo) put(k rowKey, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(k, b)
}

func (m *RowMemo) putLocked(k rowKey, b []byte) {
	if len(m.cur) >= rowMemoSize {
		m.old, m.cur = m.cur, make(map[rowKey][]byte, rowMemoSize)
	}
	m.cur[k] = b
}
