//go:build tools

// Package tools pins the language host's main package in this module's
// dependency graph so that `go mod tidy` keeps what it needs.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
