package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	box := mustBox(t, bytes.Repeat([]byte{7}, 32))
	plain := []byte("ghp_verysecret")
	sealed := box.Seal("git-credential", plain)
	if bytes.Contains(sealed, plain) {
		t.Fatalf("sealed data contains the plaintext")
	}
	got, err := box.Open("git-credential", sealed)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("Open = %q, %v; want %q, nil", got, err, plain)
	}
	if again := box.Seal("git-credential", plain); bytes.Equal(again, sealed) {
		t.Errorf("two seals of the same plaintext are equal; want fresh nonces")
	}
	tests := []struct {
		name    string
		box     *Box
		purpose string
		data    []byte
	}{
		{"other purpose", box, "other", sealed},
		{"other key", mustBox(t, bytes.Repeat([]byte{8}, 32)), "git-credential", sealed},
		{"damaged", box, "git-credential", append(bytes.Clone(sealed[:len(sealed)-1]), sealed[len(sealed)-1]^1)},
		{"too short", box, "git-credential", sealed[:5]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.box.Open(tt.purpose, tt.data); !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open error = %v, want ErrDecrypt", err)
			}
		})
	}
}

func TestLoadKeyGeneratesOnceWithMode0600(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	second, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) || len(first) != 32 {
		t.Errorf("second load = %x, want the first key %x (32 bytes)", second, first)
	}
}

func TestLoadKeyFromSetting(t *testing.T) {
	want := bytes.Repeat([]byte{3}, 32)
	dir := t.TempDir()
	got, err := LoadKey(base64.StdEncoding.EncodeToString(want), dir)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("LoadKey = %x, %v; want %x", got, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file written although the setting was given (stat err %v)", err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := LoadKey(bad, dir); err == nil {
			t.Errorf("LoadKey(%q) succeeded, want an error", bad)
		}
	}
}

func mustBox(t *testing.T, key []byte) *Box {
	t.Helper()
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
