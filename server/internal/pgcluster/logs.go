package pgcluster

import (
	"io"
	"os"
	"strings"
)

// tailLog returns the last lines (at most 64 KiB) the log file received
// since offset.
func tailLog(path string, offset int64) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	const maxTail = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > maxTail {
		offset = fi.Size() - maxTail
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil
	}
	b, _ := io.ReadAll(f)
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

var severities = []string{"PANIC:", "FATAL:", "ERROR:", "WARNING:", "LOG:", "HINT:", "DETAIL:", "CONTEXT:"}

// stripPrefix removes log_line_prefix (timestamp, pid) before the severity
// and squeezes runs of blanks.
func stripPrefix(line string) string {
	for _, s := range severities {
		if i := strings.Index(line, s); i >= 0 {
			line = line[i:]
			break
		}
	}
	return strings.Join(strings.Fields(line), " ")
}

func severity(line string) string {
	for _, s := range severities {
		if strings.HasPrefix(line, s) {
			return s
		}
	}
	return ""
}

// lockConflict finds postgres' "lock file ... already exists" message and
// returns it with its hint on one line, and whether it is about the data
// directory ("data") or the socket ("socket").
func lockConflict(lines []string) (msg, what string) {
	for i, l := range lines {
		if !strings.Contains(l, "lock file") || !strings.Contains(l, "already exists") {
			continue
		}
		msg = stripPrefix(l)
		msg = strings.TrimPrefix(msg, "FATAL: ")
		for _, next := range lines[i+1:] {
			next = stripPrefix(next)
			if s := severity(next); s != "HINT:" && s != "DETAIL:" {
				break
			}
			msg += "; " + next
		}
		what = "data"
		if strings.Contains(l, socketName) {
			what = "socket"
		}
		return msg, what
	}
	return "", ""
}

// summarizeLog condenses log lines to one line: the errors with their hints
// when there are any, otherwise the last lines.
func summarizeLog(lines []string) string {
	var picked []string
	for i, l := range lines {
		l = stripPrefix(l)
		switch severity(l) {
		case "PANIC:", "FATAL:", "ERROR:":
			picked = append(picked, l)
			for _, next := range lines[i+1:] {
				next = stripPrefix(next)
				if s := severity(next); s != "HINT:" && s != "DETAIL:" {
					break
				}
				picked = append(picked, next)
			}
		}
	}
	if len(picked) == 0 {
		for _, l := range lines {
			picked = append(picked, stripPrefix(l))
		}
	}
	if len(picked) > 6 {
		picked = picked[len(picked)-6:]
	}
	if len(picked) == 0 {
		return "(empty)"
	}
	return strings.Join(picked, " | ")
}

// condense joins the last n non-empty lines of out into one line.
func condense(out string, n int) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return "(no output)"
	}
	return strings.Join(lines, " | ")
}
