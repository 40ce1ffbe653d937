// Package main is the zerostack command: it runs Cloudflare Workers
// applications unchanged on your own machine. All behaviour lives in
// internal/cli; main only hands over the process arguments and exits.
package main

import (
	"io"
	"os"

	"github.com/zerostack/zerostack/internal/cli"
)

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(args []string, stdout, stderr io.Writer) int {
	return cli.Main(args, os.Stdin, stdout, stderr)
}
