// Package uitypes reads which custom elements Shopify's type packages
// declare, and which attributes each takes, from their TypeScript
// declarations in node_modules (installed by npm ci from the repository's
// package.json): @shopify/polaris-types for the Polaris web components,
// @shopify/app-bridge-ui-types for App Bridge's own copy of them, and
// @shopify/app-bridge-types for App Bridge's elements (s-app-nav,
// ui-save-bar, ui-title-bar…). It is for tests: the markup tests check
// every s-* and ui-* element of the pages against it.
package uitypes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Declarations are the .d.ts files read, relative to the repository root.
var Declarations = []string{
	"node_modules/@shopify/polaris-types/dist/polaris.d.ts",
	"node_modules/@shopify/app-bridge-ui-types/dist/app-bridge-ui.d.ts",
	"node_modules/@shopify/app-bridge-types/dist/index.d.ts",
}

// globalAttributes are the HTML attributes any element takes, the custom
// ones included; aria-* and data-* are allowed by prefix.
var globalAttributes = map[string]bool{
	"id": true, "class": true, "style": true, "title": true, "lang": true, "dir": true, "hidden": true,
	"slot": true, "tabindex": true, "role": true, "part": true, "inert": true, "translate": true,
}

// Catalog is the custom elements the type packages declare, each with the
// attributes it takes (its properties' names in lower case, as HTML
// attributes are).
type Catalog map[string]map[string]bool

// RepoRoot is the folder holding go.mod, found from the working folder up.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the repository root: no go.mod above the working folder")
		}
		dir = parent
	}
}

// Load reads the declarations under the repository root. A missing file
// is an error that says to run npm ci.
func Load(root string) (Catalog, error) {
	c := Catalog{}
	for _, rel := range Declarations {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is missing: run `npm ci` in the repository root to install the type packages package.json names", rel)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", rel, err)
		}
		for tag, attrs := range parse(string(b)) {
			if c[tag] == nil {
				c[tag] = map[string]bool{}
			}
			for a := range attrs {
				c[tag][a] = true
			}
		}
	}
	if len(c) == 0 {
		return nil, errors.New("the type packages declare no element: their layout has changed")
	}
	return c, nil
}

// Custom reports whether tag is one of Shopify's (s-* or ui-*), which the
// catalog must know.
func Custom(tag string) bool {
	return strings.HasPrefix(tag, "s-") || strings.HasPrefix(tag, "ui-")
}

// Check says what is wrong with an element of tag with these attributes:
// nothing for an element that is not Shopify's; an unknown element; or
// each attribute the element does not declare.
func (c Catalog) Check(tag string, attrs []string) []string {
	tag = strings.ToLower(tag)
	if !Custom(tag) {
		return nil
	}
	known, ok := c[tag]
	if !ok {
		return []string{fmt.Sprintf("<%s> is not an element the type packages declare", tag)}
	}
	var bad []string
	for _, a := range attrs {
		a = strings.ToLower(a)
		if globalAttributes[a] || strings.HasPrefix(a, "aria-") || strings.HasPrefix(a, "data-") || known[a] {
			continue
		}
		bad = append(bad, fmt.Sprintf("<%s> has no attribute %q (it takes %s)", tag, a, strings.Join(c.Attributes(tag), ", ")))
	}
	return bad
}

// Attributes lists the attributes tag declares, sorted.
func (c Catalog) Attributes(tag string) []string {
	var out []string
	for a := range c[tag] {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// decl is one class or interface of a declaration file: its own members
// and what it extends or implements.
type decl struct {
	members  []string
	heritage string
}

var (
	blockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	lineComment  = regexp.MustCompile(`(?m)^\s*//.*$`)
	// declare class Button extends ButtonBase<…> implements ButtonProps {
	// interface BadgeProps extends Pick<BadgeProps$1, 'color'> {
	declStart = regexp.MustCompile(`(?m)^[ \t]*(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(class|interface)\s+([\w$]+)`)
	// declare const ButtonBase_base: (abstract new (…) => PolarisCustomElement & PreactOverlayControlProps) & …;
	baseConst = regexp.MustCompile(`(?m)^declare const ([\w$]+_base): ([^;]*);`)
	// declare const tagName$V = "s-button";
	tagConst = regexp.MustCompile(`(?m)^declare const ([\w$]+) = "([a-z][a-z0-9-]*)";`)
	// [tagName$V]: Button;  or  "ui-save-bar": UISaveBarAttributes;
	tagEntry = regexp.MustCompile(`^\s*(?:\[([\w$]+)\]|"([a-z][a-z0-9-]*)")\s*:\s*([\w$]+)`)
	// a property or accessor at the body's top level: name?: T, readonly name: T, get name(): T
	member = regexp.MustCompile(`^\s*(?:readonly\s+|abstract\s+|declare\s+)*(?:(?:get|set)\s+)?([A-Za-z_$][\w$]*)(\?)?\s*([:(])`)
	pick   = regexp.MustCompile(`Pick<\s*[\w$.]+(?:\[[^\]]*\])?\s*,\s*((?:'[^']*'\s*\|?\s*)+)>`)
	quoted = regexp.MustCompile(`'([^']*)'`)
	ident  = regexp.MustCompile(`[A-Za-z_$][\w$]*`)
)

// parse reads one declaration file: the tag-name maps
// (HTMLElementTagNameMap, App Bridge's AppBridgeElements) and, for each
// tag, the members of its class or interface and of everything that
// extends or implements, followed through the file.
func parse(src string) Catalog {
	src = blockComment.ReplaceAllString(src, "")
	src = lineComment.ReplaceAllString(src, "")
	decls := map[string]*decl{}
	var maps []string // bodies of the tag-name maps
	for _, loc := range declStart.FindAllStringSubmatchIndex(src, -1) {
		name := src[loc[4]:loc[5]]
		open := strings.IndexByte(src[loc[1]:], '{')
		if open < 0 {
			continue
		}
		open += loc[1]
		body, ok := braced(src, open)
		if !ok {
			continue
		}
		if name == "HTMLElementTagNameMap" || name == "AppBridgeElements" {
			maps = append(maps, body)
			continue
		}
		d := decls[name]
		if d == nil {
			d = &decl{}
			decls[name] = d
		}
		d.heritage += " " + src[loc[1]:open]
		d.members = append(d.members, members(body)...)
	}
	for _, m := range baseConst.FindAllStringSubmatch(src, -1) {
		// Only what the constructor returns: "=> A & B".
		if _, ret, ok := strings.Cut(m[2], "=>"); ok {
			decls[m[1]] = &decl{heritage: ret}
		}
	}
	tagOf := map[string]string{}
	for _, m := range tagConst.FindAllStringSubmatch(src, -1) {
		tagOf[m[1]] = m[2]
	}
	out := Catalog{}
	for _, body := range maps {
		for _, line := range strings.Split(body, "\n") {
			m := tagEntry.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			tag := m[2]
			if m[1] != "" {
				tag = tagOf[m[1]]
			}
			if tag == "" {
				continue
			}
			attrs := map[string]bool{}
			collect(decls, m[3], attrs, map[string]bool{})
			if out[tag] == nil {
				out[tag] = map[string]bool{}
			}
			for a := range attrs {
				out[tag][a] = true
			}
		}
	}
	return out
}

// collect adds the attributes of declaration name and of what it
// extends: the names a Pick<T, 'a' | 'b'> picks (not all of T's), and
// everything of any other type it names.
func collect(decls map[string]*decl, name string, attrs, seen map[string]bool) {
	d, ok := decls[name]
	if !ok || seen[name] {
		return
	}
	seen[name] = true
	for _, m := range d.members {
		if m != "children" && m != "constructor" {
			attrs[strings.ToLower(m)] = true
		}
	}
	heritage := pick.ReplaceAllStringFunc(d.heritage, func(p string) string {
		for _, q := range quoted.FindAllStringSubmatch(pick.FindStringSubmatch(p)[1], -1) {
			attrs[strings.ToLower(q[1])] = true
		}
		return " "
	})
	heritage = quoted.ReplaceAllString(heritage, " ")
	for _, id := range ident.FindAllString(heritage, -1) {
		collect(decls, id, attrs, seen)
	}
}

// braced returns the text between the brace at open and its match.
func braced(src string, open int) (string, bool) {
	depth := 0
	for i := open; i < len(src); i++ {
		switch src[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return src[open+1 : i], true
			}
		}
	}
	return "", false
}

// members lists the properties and accessors declared at the top level of
// a class or interface body; methods and nested types are left out.
func members(body string) []string {
	var out []string
	depth := 0
	for _, line := range strings.Split(body, "\n") {
		if depth == 0 {
			if m := member.FindStringSubmatch(line); m != nil {
				accessor := strings.Contains(line, "get "+m[1]) || strings.Contains(line, "set "+m[1])
				if m[3] == ":" || accessor {
					out = append(out, m[1])
				}
			}
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		depth += strings.Count(line, "(") - strings.Count(line, ")")
	}
	return out
}
