package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the file in the data directory that keeps the generated session key.
const KeyFile = "session.key"

// Keys are the secrets session cookies are sealed with: the first seals new cookies, the
// others still open cookies sealed before a rotation.
type Keys []string

// minKeyLength is the shortest configured secret accepted (in bytes).
const minKeyLength = 32

// SessionKeys returns the configured keys (comma-separated, newest first) or, when none are
// configured, the key kept in dataDir/session.key — generated on first use and written with
// mode 0600, so sessions survive restarts.
func SessionKeys(configured, dataDir string) (Keys, error) {
	var keys Keys
	for _, k := range strings.Split(configured, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if len(k) < minKeyLength {
			return nil, fmt.Errorf("session keys: each key needs at least %d characters", minKeyLength)
		}
		keys = append(keys, k)
	}
	if len(keys) > 0 {
		return keys, nil
	}
	path := filepath.Join(dataDir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand.Read never fails
		b = []byte(hex.EncodeToString(key))
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return nil, fmt.Errorf("write session key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < minKeyLength {
		return nil, fmt.Errorf("session key in %s is too short", path)
	}
	return Keys{key}, nil
}

// pairs derives an authentication key (HMAC-SHA-256, 64 bytes) and an encryption key
// (AES-256) from each secret.
func (k Keys) pairs() [][]byte {
	var pairs [][]byte
	for _, secret := range k {
		authKey := sha512.Sum512([]byte("ladder session authentication\x00" + secret))
		encKey := sha256.Sum256([]byte("ladder session encryption\x00" + secret))
		pairs = append(pairs, authKey[:], encKey[:])
	}
	return pairs
}
