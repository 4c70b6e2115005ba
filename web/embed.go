// Package web holds the HTML templates and static assets, embedded into the
// binary so Vigil runs from a single file with no CDN.
package web

import "embed"

// Templates holds templates/<domain>/*.html and templates/layout/*.html.
//
//go:embed templates
var Templates embed.FS

// Static holds the CSS, JavaScript and images served under /static/.
//
//go:embed static
var Static embed.FS
