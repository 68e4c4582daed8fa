// Command summary reads `go test -json` on stdin and prints one line per
// finished test, the output of failed ones, and a closing count, so
// `make e2e` stays readable while the full report is kept as a file.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

func main() {
	output := map[string][]string{}
	var passed, failed, skipped int
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // build errors arrive as plain text
			continue
		}
		if e.Test == "" {
			if e.Action == "output" && strings.HasPrefix(e.Output, "FAIL") {
				fmt.Print(e.Output)
			}
			continue
		}
		switch e.Action {
		case "output":
			output[e.Test] = append(output[e.Test], e.Output)
		case "pass":
			passed++
			fmt.Printf("ok    %-50s %6.1fs\n", e.Test, e.Elapsed)
		case "skip":
			skipped++
			fmt.Printf("skip  %s\n", e.Test)
		case "fail":
			failed++
			fmt.Printf("FAIL  %-50s %6.1fs\n", e.Test, e.Elapsed)
			for _, line := range output[e.Test] {
				fmt.Print("      ", line)
			}
		}
	}
	fmt.Printf("e2e: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 {
		os.Exit(1)
	}
}
