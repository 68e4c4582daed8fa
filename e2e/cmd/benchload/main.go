// Command benchload drives complete renewals through the real binary's
// HTTP API, many holders at once, and prints the figures of
// docs/benchmarks.md ("Load: complete renewals"):
//
//   - p50/p99/max of every step (each one HTTP call as the wizard makes
//     it, and the waits for the server's jobs), and of CSR→certificate;
//   - the server's and its PostgreSQL's CPU per renewal (/proc: the
//     server process, its postmaster and the postmaster's backends);
//   - optionally a CPU profile of the server process (perf, -perf);
//   - as its last line: load: N renewals, C concurrent, F failed,
//     X renewals/s, csr->cert p99 Y ms.
//
// It builds nothing (make bench-load builds first): it starts
// bin/renewal-server --dev with a data directory of its own, 127.0.0.1
// trusted as a proxy (each holder comes from its own address) and the
// registry answering at once (--registry-delay 0). Each holder has a
// current certificate of its own, signed by the demo authority for the
// run (e2e/load.Minter).
//
//	go run ./e2e/cmd/benchload [-c 32] [-n 500] [-poll 50ms] [-server-args '--db-max-conns 40'] [-perf]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"renewal/e2e/binary"
	"renewal/e2e/load"
)

func main() {
	c := flag.Int("c", 32, "holders renewing at once")
	n := flag.Int("n", 500, "complete renewals in all")
	poll := flag.Duration("poll", 50*time.Millisecond, "with -wait poll: pause between two reads of the application while a job runs")
	wait := flag.String("wait", "events", "how a holder waits for a job: events (GET /api/v1/renewal/events, as the wizard) or poll (GET /api/v1/renewal every -poll)")
	serverArgs := flag.String("server-args", "", "more arguments for the server, space-separated (e.g. --db-max-conns 40)")
	warmup := flag.Int("warmup", 0, "renewals before the measured run (default: c)")
	perf := flag.Bool("perf", false, "record a CPU profile of the server process with perf during the measured run")
	keep := flag.Bool("keep", false, "keep the server's data directory (its log is server.log there)")
	flag.Parse()
	if *wait != "events" && *wait != "poll" {
		fmt.Fprintln(os.Stderr, "benchload: -wait is events or poll")
		os.Exit(2)
	}
	if *warmup == 0 {
		*warmup = *c
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *c, *n, *warmup, load.Options{Poll: *poll, Events: *wait == "events"}, strings.Fields(*serverArgs), *perf, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c, n, warmup int, opts load.Options, extra []string, perf, keep bool) error {
	root, err := binary.Root()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "bin", "renewal-server")); err != nil {
		return errors.New("bin/renewal-server is missing: run `make build` first (make bench-load does)")
	}
	srv, err := binary.Start(binary.Options{Root: root, DirPrefix: "rnw-load-",
		Args: append(load.ServerArgs, extra...), LogToFile: true, Keep: keep})
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "benchload:", err)
		}
	}()
	fmt.Printf("server %s (pid %d, data %s) %s\n", srv.URL, srv.PID(), srv.DataDir, strings.Join(extra, " "))
	minter, err := load.NewMinter(filepath.Join(srv.DataDir, "demo"))
	if err != nil {
		return err
	}
	if opts.Events {
		fmt.Println("waits: the events stream")
	} else {
		fmt.Printf("waits: polls every %s\n", opts.Poll)
	}

	// A warm-up fills the connection pools and the caches; its holders
	// are other people (the minter's numbering goes on).
	if warmup > 0 {
		w, err := load.Run(ctx, load.Config{URL: srv.URL, Minter: minter.Offset(1_000_000), Concurrency: c, Renewals: warmup, Options: opts})
		if err != nil {
			return err
		}
		fmt.Printf("warm-up: %d renewals, %d failed, %.1f s\n", warmup, w.Failed(), w.Elapsed.Seconds())
	}

	var rec *perfRecord
	if perf {
		if rec, err = startPerf(srv.PID(), srv.DataDir); err != nil {
			return err
		}
	}
	before, err := load.ReadCPU(srv.PID())
	if err != nil {
		return err
	}
	rep, err := load.Run(ctx, load.Config{URL: srv.URL, Minter: minter, Concurrency: c, Renewals: n, Options: opts, Progress: os.Stderr})
	if err != nil {
		return err
	}
	after, err := load.ReadCPU(srv.PID())
	if err != nil {
		return err
	}
	if rec != nil {
		if err := rec.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "benchload: perf:", err)
		}
	}

	fmt.Println()
	rep.WriteSteps(os.Stdout)
	if f := rep.Failures(); len(f) > 0 {
		fmt.Println("\nfailures:")
		for _, l := range f {
			fmt.Println(l)
		}
		fmt.Println("server log:", srv.LogFile())
	}
	done := max(1, rep.Succeeded())
	server, pg := after.Server-before.Server, after.Postgres-before.Postgres
	fmt.Printf("\ncpu: server %.1f s, postgres %.1f s in %.1f s of wall time (%.2f of 2 cores)\n",
		server.Seconds(), pg.Seconds(), rep.Elapsed.Seconds(), (server+pg).Seconds()/rep.Elapsed.Seconds())
	fmt.Printf("cpu per renewal: server %.1f ms, postgres %.1f ms, together %.1f ms (a ceiling of %.0f renewals/s on 2 cores)\n",
		ms(server/time.Duration(done)), ms(pg/time.Duration(done)), ms((server+pg)/time.Duration(done)),
		2*float64(done)/(server+pg).Seconds())
	per := func(step string) float64 {
		return float64(len(rep.Durations(step))) / float64(max(1, len(rep.Results)))
	}
	if opts.Events {
		fmt.Printf("event streams per renewal: %.1f, polls: %.1f\n", per(load.StepEvents), per(load.StepPoll))
	} else {
		fmt.Printf("polls of the application per renewal: %.0f (every %s while a job runs)\n", per(load.StepPoll), opts.Poll)
	}
	if rec != nil {
		if err := rec.report(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "benchload: perf report:", err)
		}
	}
	fmt.Println(rep.Summary())
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// perfRecord is perf sampling the server process's threads.
type perfRecord struct {
	cmd  *exec.Cmd
	file string
}

func startPerf(pid int, dir string) (*perfRecord, error) {
	if _, err := exec.LookPath("perf"); err != nil {
		return nil, errors.New("-perf: perf is not installed (apt-get install linux-perf)")
	}
	r := &perfRecord{file: filepath.Join(dir, "perf.data")}
	r.cmd = exec.Command("perf", "record", "-q", "-F", "499", "-g", "-p", fmt.Sprint(pid), "-o", r.file)
	r.cmd.Stderr = os.Stderr
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(300 * time.Millisecond) // perf attaches
	return r, nil
}

func (r *perfRecord) stop() error {
	r.cmd.Process.Signal(syscall.SIGINT)
	err := r.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) && !exit.Exited() { // ended by the SIGINT it was sent
		return nil
	}
	return err
}

// report prints the functions with the most samples, themselves and
// with what they call.
func (r *perfRecord) report(w *os.File) error {
	for _, mode := range []string{"--no-children", "--children"} {
		out, err := exec.Command("perf", "report", "-i", r.file, "--stdio", mode, "-g", "none",
			"--sort", "symbol", "--percent-limit", "1.5").Output()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\nperf report %s (server process, %s):\n", mode, r.file)
		for _, l := range strings.Split(string(out), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				fmt.Fprintln(w, l)
			}
		}
	}
	return nil
}
