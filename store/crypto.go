package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// tokenPrefix marks the format of an encrypted token:
// "v1:" + base64(nonce || AES-256-GCM ciphertext), with the shop domain as
// additional data.
const tokenPrefix = "v1:"

// EncryptionKeySize is the length of Options.EncryptionKey.
const EncryptionKeySize = 32

// newAEAD builds AES-256-GCM from a 32-byte key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != EncryptionKeySize {
		return nil, fmt.Errorf("store: encryption key must be %d bytes, got %d", EncryptionKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: creating GCM: %w", err)
	}
	return aead, nil
}

// encryptToken seals plaintext for the shop domain. The empty token is
// stored as NULL, so it returns nil.
func (s *Store) encryptToken(domain, plaintext string) (*string, error) {
	if plaintext == "" {
		return nil, nil
	}
	if s.aead == nil {
		return nil, ErrNoEncryptionKey
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("store: reading nonce: %w", err)
	}
	sealed := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(domain))
	out := tokenPrefix + base64.StdEncoding.EncodeToString(sealed)
	return &out, nil
}

// decryptToken opens a value written by encryptToken for the same domain.
// NULL decrypts to "". Anything tampered, moved to another shop, or written
// under another key is an error wrapping ErrDecrypt.
func (s *Store) decryptToken(domain string, stored *string) (string, error) {
	if stored == nil || *stored == "" {
		return "", nil
	}
	if s.aead == nil {
		return "", ErrNoEncryptionKey
	}
	enc, ok := strings.CutPrefix(*stored, tokenPrefix)
	if !ok {
		return "", fmt.Errorf("%w: unknown token format", ErrDecrypt)
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return "", fmt.Errorf("%w: bad encoding", ErrDecrypt)
	}
	n := s.aead.NonceSize()
	if len(raw) < n+s.aead.Overhead() {
		return "", fmt.Errorf("%w: too short", ErrDecrypt)
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(domain))
	if err != nil {
		return "", fmt.Errorf("%w: authentication failed", ErrDecrypt)
	}
	return string(plain), nil
}
