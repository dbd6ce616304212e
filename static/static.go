// Package static holds the pages' CSS and JavaScript, embedded into the binary.
package static

import "embed"

// FS is the static files, served under /static/.
//
//go:embed *.css *.js
var FS embed.FS
