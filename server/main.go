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

// run returns the exit status: 0 done, 1 failed (or, for a check such as
// `ca lint`, found problems), 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "ca":
		err = runCA(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "payments":
		err = runPayments(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "audit":
		err = runAudit(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "serve":
		err = serve(args[1:], stdout, stderr)
	default:
		err = serve(args, stdout, stderr)
	}
	var fail exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &fail):
		return fail.code
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

// exitError ends a command with a status and nothing more to print.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func printCommands(w io.Writer) {
	fmt.Fprintf(w, `
Commands:
  %[1]s [serve] [flags]                  run the service (the default)
  %[1]s ca init [flags]                  make the root and the issuing CA in CA_DIR
  %[1]s ca revoke SERIAL --reason R      revoke a certificate (R: a name or RFC 5280 code)
  %[1]s ca crl [--out FILE]              sign and publish a fresh CRL; print it (PEM), or write it as DER
  %[1]s ca root-crl                      sign the root's CRL anew (root key in CA_DIR); served from the next start
  %[1]s ca lint [--profile P] FILE...    lint certificates (zlint and our RU/BY lints); exit 1 on findings
  %[1]s audit verify                     walk the audit chain; report the first broken link (exit 1)
  %[1]s payments import FILE             import a bank statement (1CClientBankExchange) into the database
`, name)
}
