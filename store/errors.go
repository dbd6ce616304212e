package store

import "errors"

// ErrNotFound is returned (possibly wrapped) when a requested row does not
// exist; test for it with errors.Is.
var ErrNotFound = errors.New("store: not found")

// ErrNoEncryptionKey is returned when tokens must be encrypted or decrypted
// but the store was opened without an encryption key.
var ErrNoEncryptionKey = errors.New("store: no token encryption key configured")

// ErrDecrypt is returned (wrapped) when a stored token cannot be decrypted:
// it was tampered with, belongs to another shop, or was written under
// another key.
var ErrDecrypt = errors.New("store: token decryption failed")
