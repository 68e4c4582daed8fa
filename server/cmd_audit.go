package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"renewal/server/internal/renewal"
)

func runAudit(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		printCommands(stderr)
		return usageError{errors.New("audit: the command is `audit verify`")}
	}
	cfg, err := parseCommand("audit verify", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, _, closeDB, err := commandStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	n, err := renewal.VerifyAudit(ctx, st)
	var broken *renewal.BrokenLink
	if errors.As(err, &broken) {
		fmt.Fprintf(stdout, "%d events hold; then: %v\n", n, broken)
		return exitError{1}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit chain intact: %d events\n", n)
	return nil
}
