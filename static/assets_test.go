package static

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestHashedName: the name keeps the file's own name and extension, carries
// a hash of the content, and changes when, and only when, the content does.
func TestHashedName(t *testing.T) {
	a := HashedName("app.css", []byte("body { color: black }"))
	if !regexp.MustCompile(`^app\.[0-9a-f]{12}\.css$`).MatchString(a) {
		t.Fatalf("HashedName = %q, want app.<12 hex digits>.css", a)
	}
	if again := HashedName("app.css", []byte("body { color: black }")); again != a {
		t.Errorf("the same content is named %q and %q", a, again)
	}
	if b := HashedName("app.css", []byte("body { color: navy }")); b == a {
		t.Errorf("changed content keeps the name %q", b)
	}
	if js := HashedName("exit_iframe.js", nil); !regexp.MustCompile(`^exit_iframe\.[0-9a-f]{12}\.js$`).MatchString(js) {
		t.Errorf("HashedName of a script = %q", js)
	}
}

// TestAssetsServeOnlyCurrentNames: a file is found under the name its
// content gives, and not under its own name or an old content's name.
func TestAssetsServeOnlyCurrentNames(t *testing.T) {
	old, err := loadFS(fstest.MapFS{"app.css": {Data: []byte("a { color: red }")}})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := loadFS(fstest.MapFS{"app.css": {Data: []byte("a { color: maroon }")}, "x.js": {Data: []byte("1")}})
	if err != nil {
		t.Fatal(err)
	}
	oldURL, _ := old.URL("app.css")
	curURL, err := cur.URL("app.css")
	if err != nil || oldURL == curURL || !strings.HasPrefix(curURL, Prefix) {
		t.Fatalf("URLs before and after a change: %q, %q (%v)", oldURL, curURL, err)
	}
	f, ok := cur.Lookup(strings.TrimPrefix(curURL, Prefix))
	if !ok || string(f.Body) != "a { color: maroon }" || f.ContentType != "text/css; charset=utf-8" {
		t.Errorf("Lookup(%s) = %+v, %v", curURL, f, ok)
	}
	for _, name := range []string{strings.TrimPrefix(oldURL, Prefix), "app.css", "x.js", ""} {
		if _, ok := cur.Lookup(name); ok {
			t.Errorf("%q is served", name)
		}
	}
	if u, err := cur.URL("missing.js"); err == nil {
		t.Errorf("URL of a missing file = %q, want an error", u)
	}
	if _, err := loadFS(fstest.MapFS{"notes.txt": {Data: []byte("?")}}); err == nil {
		t.Error("a file of an unknown kind was loaded")
	}
}

// TestEmbeddedAssets: every embedded file has a hashed URL, and none of
// the CSS or scripts names another static file by its path, which would
// bypass the hash (a page hands a script such a URL from {{asset}}, in a
// data- attribute).
func TestEmbeddedAssets(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(files, ".")
	if err != nil || len(entries) < 5 {
		t.Fatalf("embedded files: %d, %v", len(entries), err)
	}
	for _, e := range entries {
		u, err := a.URL(e.Name())
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		f, ok := a.Lookup(strings.TrimPrefix(u, Prefix))
		if !ok || len(f.Body) == 0 {
			t.Errorf("%s: nothing served at %s", e.Name(), u)
		}
		if strings.Contains(string(f.Body), Prefix) {
			t.Errorf("%s names a static file by its path (%q): it would miss the hash", e.Name(), Prefix)
		}
	}
}
