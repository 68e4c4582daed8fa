package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"renewal/app/money"
)

// runPayments is `payments import FILE`: the operator's upload of a bank
// statement, straight into the database.
func runPayments(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		printCommands(stderr)
		return usageError{errors.New("payments: the command is `payments import FILE`")}
	}
	cfg, err := parseCommand("payments import", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	if len(cfg.Args) != 1 {
		return usageError{errors.New("payments import FILE: one statement file (1CClientBankExchange)")}
	}
	data, err := os.ReadFile(cfg.Args[0])
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, log, closeDB, err := commandStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	clk, err := trustedClock(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	auth, err := authorityFor(cfg, st, log, clk.Now)
	if err != nil {
		return err
	}
	defer auth.Close()
	// A queue that only inserts: the running server works the jobs.
	wf, err := startWorkflow(cfg, st, auth, publicURLOf(cfg), log, clk.Now, false)
	if err != nil {
		return err
	}
	report, err := wf.svc.ImportStatement(ctx, filepath.Base(cfg.Args[0]), data)
	if err != nil {
		return err
	}
	if report.AlreadyImported {
		fmt.Fprintln(stdout, "this statement was imported before: nothing changed")
		return nil
	}
	for _, r := range report.Results {
		// A 1CClientBankExchange statement is in roubles.
		fmt.Fprintf(stdout, "%-12s № %-8s %16s  %s\n", r.Kind, r.Doc.Number, money.Format(r.Doc.AmountMinor, "RUB"), r.ReasonRU)
	}
	return nil
}
