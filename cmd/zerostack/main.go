// Package main is the zerostack command: it runs Cloudflare Workers
// applications unchanged on your own machine. All behaviour lives in
// internal/cli; main only hands over the process arguments and exits.
package main

import (
	"os"

	"github.com/zerostack/zerostack/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
