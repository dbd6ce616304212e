// Package templates holds the HTML pages, embedded into the binary and
// parsed once at start-up.
package templates

import (
	"embed"
	"html/template"
)

//go:embed *.html
var files embed.FS

// Parse parses every page template.
func Parse() (*template.Template, error) {
	return template.New("pages").ParseFS(files, "*.html")
}
