package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

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
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, closeDB, err := commandDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
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
