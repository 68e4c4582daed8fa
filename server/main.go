// Command renewal-server is the service: the web server with its API, the
// certification authority's signing, and the operator's commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const name = "renewal-server"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run returns the exit status: 0 done, 1 failed, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	err := serve(args, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	default:
		// One line a person can act on, never a stack trace.
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
}

// usageError is a mistake in the command line.
type usageError struct{ error }
