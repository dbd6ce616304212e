package static

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Prefix is the URL path the static files are served under.
const Prefix = "/static/"

// CacheControl is the caching of a static file: its name changes with its
// content, so what a browser or proxy holds under a name never goes stale.
const CacheControl = "public, max-age=31536000, immutable"

// hashLen is how many hex digits of the SHA-256 a hashed name carries: 48
// bits, so that two versions of one file sharing a name (and a browser
// keeping the old one for a year) is out of the question.
const hashLen = 12

// contentType is the content type of a kind of static file, by extension
// ("" for a kind the app does not serve): the app's own list, not the
// machine's mime.types, so that every machine serves a file alike.
func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".ico":
		return "image/x-icon"
	}
	return ""
}

// File is one static file as it is served.
type File struct {
	ContentType string
	Body        []byte
}

// Assets is the static files by their hashed names, worked out once at
// start-up from the embedded files.
type Assets struct {
	hashed map[string]string // "app.css" → "app.3f2a9c1e5b7d.css"
	files  map[string]File   // "app.3f2a9c1e5b7d.css" → the file
}

// HashedName is name with a hash of content before its extension:
// "app.css" becomes "app.3f2a9c1e5b7d.css". It depends on nothing but its
// arguments, so every instance of the app names a file alike.
func HashedName(name string, content []byte) string {
	sum := sha256.Sum256(content)
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:hashLen] + ext
}

// Load reads the embedded static files and names each by its content.
func Load() (*Assets, error) {
	return loadFS(files)
}

// loadFS names the files at the top of fsys by their content.
func loadFS(fsys fs.FS) (*Assets, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("static: listing the files: %w", err)
	}
	a := &Assets{hashed: map[string]string{}, files: map[string]File{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("static: reading %s: %w", e.Name(), err)
		}
		ct := contentType(path.Ext(e.Name()))
		if ct == "" {
			return nil, fmt.Errorf("static: %s has no known content type", e.Name())
		}
		h := HashedName(e.Name(), body)
		a.hashed[e.Name()] = h
		a.files[h] = File{ContentType: ct, Body: body}
	}
	return a, nil
}

// URL is the path that static file name (as in the repository: "app.css")
// is served at, "/static/app.3f2a9c1e5b7d.css"; there is none for a file
// that does not exist, so a page naming one fails to render.
func (a *Assets) URL(name string) (string, error) {
	h, ok := a.hashed[name]
	if !ok {
		return "", fmt.Errorf("static: no file %q", name)
	}
	return Prefix + h, nil
}

// Lookup is the file served under hashed name. Only current hashed names
// are found: an unhashed name, or one with another file's hash, is not.
func (a *Assets) Lookup(hashed string) (File, bool) {
	f, ok := a.files[hashed]
	return f, ok
}
