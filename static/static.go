// Package static holds the pages' CSS and JavaScript, embedded into the
// binary, and names each file by its content (Assets), so that browsers
// may keep it for good.
package static

import "embed"

// files is the static files, served under Prefix by their hashed names.
//
//go:embed *.css *.js favicon.ico
var files embed.FS

// Favicon is the app's icon (16 and 32 pixels), served at /favicon.ico.
//
//go:embed favicon.ico
var Favicon []byte
