// Package static holds the pages' CSS and JavaScript, embedded into the binary.
package static

import "embed"

// FS is the static files, served under /static/.
//
//go:embed *.css *.js favicon.ico
var FS embed.FS

// Favicon is the app's icon (16 and 32 pixels), served at /favicon.ico.
//
//go:embed favicon.ico
var Favicon []byte
