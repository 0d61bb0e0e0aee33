// Package secret encrypts the secrets Ladder keeps at rest (Git tokens, SSH keys) with
// AES-256-GCM. The key comes from LADDER_SECRET_KEY or, when that is unset, from a key file
// generated once in the data directory.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the name of the generated key file inside the data directory.
const KeyFile = "secret.key"

// ErrDecrypt means a ciphertext could not be opened: it was changed, or sealed with another key.
var ErrDecrypt = errors.New("cannot decrypt secret (wrong key or damaged data)")

// Box seals and opens secrets with one key.
type Box struct{ aead cipher.AEAD }

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext; purpose (for example "git-credential") is bound to the result, so a
// ciphertext cannot be reused for another kind of secret. The nonce leads the ciphertext.
func (b *Box) Seal(purpose string, plaintext []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand never fails on supported platforms
	return b.aead.Seal(nonce, nonce, plaintext, []byte(purpose))
}

// Open decrypts what Seal returned for the same purpose.
func (b *Box) Open(purpose string, sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrDecrypt
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(purpose))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}

// LoadKey returns the key Ladder encrypts with: encoded (base64 of 32 bytes, from
// LADDER_SECRET_KEY) when given, else the key file in dataDir, generated with mode 0600 the
// first time and reused afterwards.
func LoadKey(encoded, dataDir string) ([]byte, error) {
	if encoded = strings.TrimSpace(encoded); encoded != "" {
		return decodeKey(encoded, "LADDER_SECRET_KEY")
	}
	path := filepath.Join(dataDir, KeyFile)
	data, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(string(data), path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	// O_EXCL: two processes starting at once must not each write a different key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("create secret key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("write secret key file: %w", werr)
	}
	return key, nil
}

func decodeKey(encoded, source string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("secret key from %s must be 32 bytes in base64 (for example from `openssl rand -base64 32`)", source)
	}
	return key, nil
}
