package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/note"

	"renewal/server/internal/auditlog"
	"renewal/server/internal/renewal"
)

func runAudit(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		printCommands(stderr)
		return usageError{errors.New("audit: the command is `audit verify`")}
	}
	var vkey string
	cfg, err := parseCommand("audit verify", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&vkey, "key", "", "the checkpoints' verifier key (note format); empty: the one of DATA_DIR/audit.key")
	})
	if err != nil {
		return err
	}
	var v note.Verifier
	if vkey != "" {
		if v, err = note.NewVerifier(vkey); err != nil {
			return usageError{fmt.Errorf("--key: %w", err)}
		}
	} else {
		// Read, never made here: a new key would verify nothing.
		if _, err := os.Stat(auditKeyPath(cfg)); err != nil {
			return fmt.Errorf("audit key: %w (or give --key)", err)
		}
		k, err := auditlog.LoadKey(auditKeyPath(cfg))
		if err != nil {
			return err
		}
		v = k.Verifier
	}
	ctx := context.Background()
	st, _, closeDB, err := commandStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	res, err := renewal.VerifyAudit(ctx, st, v)
	if auditlog.IsBroken(err) {
		fmt.Fprintf(stdout, "audit log does not verify: %v\n", err)
		return exitError{1}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit log intact: %d events, %d checkpoints verified\n", res.Size, res.Checkpoints)
	if res.Checkpoints > 0 {
		fmt.Fprintf(stdout, "latest checkpoint (signed %s):\n%s", res.Latest.SignedAt.UTC().Format("2006-01-02 15:04:05Z"), res.Latest.Note)
	}
	return nil
}
