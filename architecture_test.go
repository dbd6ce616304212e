package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/funnelscope/funnelscope"

// allowedImports is docs/architecture.md's dependency table: for each
// package (by folder), the packages of this module its non-test files may
// import. Dependencies point one way, from the commands down to the pure
// domain; a new package gets its line here and in the document.
var allowedImports = map[string][]string{
	"app/funnel":            {},
	"shopify":               {},
	"shopify/shopifytest":   {"shopify"},
	"store":                 {"app/funnel"},
	"store/storetest":       {"store"},
	"app/alerts/alertstest": {},
	"templates":             {},
	"static":                {},
	"app/alerts":            {"app/funnel", "store"},
	"app":                   {"app/alerts", "app/funnel", "shopify", "static", "store", "templates"},
	"demo/journeys":         {"app/funnel", "shopify"},
	"demo":                  {"app/funnel", "demo/journeys", "shopify"},
	".":                     {"app", "app/funnel", "demo", "store"},
	"bench/loadgen":         {"app/funnel", "demo/journeys", "shopify"},
	"bench":                 {"app", "app/funnel", "bench/loadgen", "demo/journeys", "shopify", "store"},
	"faults":                {},
	"internal/testkit":      {"app/funnel", "shopify", "shopify/shopifytest", "store", "store/storetest"},
	"internal/uitypes":      {},
}

// confinedImports are outside packages that only some of ours may use: the
// web framework stays in app (no echo.Context below it), the ORM and the
// database drivers in store (no SQL anywhere else).
var confinedImports = map[string][]string{
	"github.com/labstack/echo/v4": {"app"},
	"gorm.io/gorm":                {"store"},
	"github.com/jackc/pgx/v5":     {"store", "store/storetest", "bench"},
	"github.com/glebarez/sqlite":  {"store"},
}

// TestPackageDependencies reads the imports of every non-test Go file and
// checks them against allowedImports and confinedImports, and that the
// domain imports nothing that does I/O: the one-way dependencies
// docs/architecture.md describes.
func TestPackageDependencies(t *testing.T) {
	imports := map[string]map[string]bool{} // folder → imported paths
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if imports[dir] == nil {
			imports[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			imports[dir][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(imports))
	for dir := range imports {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		allowed, known := allowedImports[dir]
		if !known {
			t.Errorf("package %s is not in the dependency table (allowedImports, docs/architecture.md)", dir)
			continue
		}
		for p := range imports[dir] {
			if rest, ours := strings.CutPrefix(p, module); ours {
				rest = strings.TrimPrefix(rest, "/")
				if rest == "" {
					rest = "."
				}
				if !slices.Contains(allowed, rest) {
					t.Errorf("package %s imports %s, which its line of the dependency table does not allow", dir, rest)
				}
				continue
			}
			for confined, users := range confinedImports {
				if (p == confined || strings.HasPrefix(p, confined+"/")) && !slices.Contains(users, dir) {
					t.Errorf("package %s imports %s, which only %v may", dir, p, users)
				}
			}
		}
	}
	for p := range imports["app/funnel"] {
		for _, io := range []string{"os", "net", "net/http", "database/sql", "log", "log/slog", "io/fs", "syscall", "github.com/riverqueue/river"} {
			if p == io || strings.HasPrefix(p, io+"/") && io != "net" {
				t.Errorf("app/funnel imports %s: the domain does no I/O", p)
			}
		}
	}
}

// TestArchitectureNamesExist checks that every test docs/architecture.md
// names as holding an invariant exists, and every file it names is there,
// so that the document cannot go on citing what was renamed or removed.
func TestArchitectureNamesExist(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllSubmatch(src, -1) {
			tests[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, m := range docName.FindAllStringSubmatch(string(doc), -1) {
		name := m[1]
		switch {
		case testName.MatchString(name):
			named++
			if !tests[name] {
				t.Errorf("docs/architecture.md names %s, which no test file declares", name)
			}
		case strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".js"):
			if _, err := os.Stat(filepath.FromSlash(name)); err != nil {
				t.Errorf("docs/architecture.md names %s: %v", name, err)
			}
		}
	}
	if named < 20 {
		t.Errorf("docs/architecture.md names only %d tests; the invariants' tests are not found", named)
	}
}

var (
	docName  = regexp.MustCompile("`([^`\\s]+)`")
	testName = regexp.MustCompile(`^(Test|Fuzz)[A-Z]\w*$`)
	testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)\w+)\(`)
)
