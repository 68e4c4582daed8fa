package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkStep is one ```sh block of docs/api.md and the ```text block that
// shows its answer (empty when the commands print nothing).
type walkStep struct {
	line   int // of the ```sh fence, for messages
	code   string
	answer []string
}

// walkthroughSteps reads the fenced blocks of a Markdown file: every sh
// block, in order, each with the text block that follows it before the
// next sh block, if any.
func walkthroughSteps(t *testing.T, file string) []walkStep {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	var steps []walkStep
	var kind string // the open fence's language; "" outside a block
	var body []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case kind == "" && strings.HasPrefix(line, "```"):
			kind, body = strings.TrimPrefix(line, "```"), nil
			if kind == "sh" {
				steps = append(steps, walkStep{line: n})
			}
		case kind != "" && line == "```":
			switch {
			case kind == "sh":
				steps[len(steps)-1].code = strings.Join(body, "\n")
			case kind == "text" && len(steps) > 0 && steps[len(steps)-1].answer == nil:
				steps[len(steps)-1].answer = body
			default:
				t.Fatalf("%s:%d: a %q block that answers no command", file, n, kind)
			}
			kind = ""
		case kind != "":
			body = append(body, line)
		}
	}
	require.NoError(t, sc.Err())
	require.Empty(t, kind, "%s: a block is not closed", file)
	return steps
}

// answerLine turns a line of a shown answer into a pattern: "…" stands
// for any text that is not empty; the rest is literal.
func answerLine(s string) *regexp.Regexp {
	parts := strings.Split(strings.TrimSpace(s), "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$")
}

// matchAnswer reports the first line of the answer that the output does
// not show, in order (the output may have more lines than the answer,
// which is abridged); "" when all are there.
func matchAnswer(answer []string, output string) string {
	out := strings.Split(output, "\n")
	at := 0
	for _, want := range answer {
		if strings.TrimSpace(want) == "" {
			continue
		}
		re := answerLine(want)
		for at < len(out) && !re.MatchString(strings.TrimSpace(out[at])) {
			at++
		}
		if at == len(out) {
			return want
		}
		at++
	}
	return ""
}

// TestAPIWalkthrough runs docs/api.md: every sh block in order, in one
// bash, with curl and openssl, against the suite's server binary, from a
// fresh certificate of the demo holder the page renews. Each block must
// print what the page shows (abridged) and nothing when it shows nothing;
// at the end the application, read by the test itself with the session
// the commands left, is delivered with a certificate of the same person.
func TestAPIWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "openssl"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "the walk-through needs %s", tool)
	}
	doc := filepath.Join(root, "docs", "api.md")
	steps := walkthroughSteps(t, doc)
	require.GreaterOrEqual(t, len(steps), 20, "docs/api.md walks a whole renewal")

	sub := demoP12(t, "by-individual") // a certificate of its own: one open application each
	work := t.TempDir()
	n := clientSeq.Add(1)
	// curl reads $CURL_HOME/.curlrc: the commands come from a client
	// address of their own (the suite trusts 127.0.0.1 as a proxy), as
	// the wizard tabs do, so the hourly limit of codes does not mix tests.
	curlHome := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(curlHome, ".curlrc"),
		fmt.Appendf(nil, "header = \"X-Forwarded-For: 198.51.100.%d\"\n", n), 0o600))

	const marker = "@@ end of block %d @@"
	var script strings.Builder
	script.WriteString("exec 2>&1\n") // openssl says some things on stderr: the page shows them
	for i, s := range steps {
		fmt.Fprintf(&script, "%s\nprintf '\\n%s\\n'\n", s.code, fmt.Sprintf(marker, i))
	}
	file := filepath.Join(t.TempDir(), "walkthrough.sh")
	require.NoError(t, os.WriteFile(file, []byte(script.String()), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", file)
	cmd.Dir = work
	cmd.Env = append(os.Environ(),
		"BASE="+suite.URL, "DEMO="+filepath.Join(suite.DataDir, "demo"),
		"P12="+sub.File, "P12_PASS="+sub.Password,
		fmt.Sprintf("PHONE=+37529000%04d", 7000+n), fmt.Sprintf("EMAIL=walkthrough%d@example.by", n),
		"WORK="+work, "CURL_HOME="+curlHome)
	out, err := cmd.Output()
	if !assert.NoError(t, err, "the commands of docs/api.md failed") {
		t.Logf("output:\n%s", out)
	}
	os.WriteFile(filepath.Join(artifacts, "apidoc.out"), out, 0o644)

	rest := string(out)
	for i, s := range steps {
		m := fmt.Sprintf(marker, i)
		cut := strings.Index(rest, "\n"+m+"\n")
		if cut < 0 {
			t.Fatalf("docs/api.md:%d: the block did not finish; it printed:\n%s", s.line, rest)
		}
		got := rest[:cut]
		rest = rest[cut+len(m)+2:]
		if s.answer == nil {
			assert.Empty(t, strings.TrimSpace(got), "docs/api.md:%d prints what the page does not show", s.line)
			continue
		}
		if miss := matchAnswer(s.answer, got); miss != "" {
			t.Errorf("docs/api.md:%d: the answer shown has\n\t%s\nwhich the commands did not print; they printed:\n%s", s.line, miss, got)
		}
	}

	// The session the commands left, from curl's cookie jar.
	jar, err := os.ReadFile(filepath.Join(work, "jar"))
	require.NoError(t, err)
	var cookie string
	for _, l := range strings.Split(string(jar), "\n") {
		if f := strings.Split(l, "\t"); len(f) == 7 && f[5] == "rnw_session" {
			cookie = f[6]
		}
	}
	require.NotEmpty(t, cookie, "the cookie jar holds the session")
	req, err := http.NewRequest("GET", suite.URL+"/api/v1/renewal", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: "rnw_session", Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var view struct {
		State  string `json:"state"`
		Issued *struct {
			Serial string `json:"serial"`
		} `json:"issued"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&view))
	assert.Equal(t, "delivered", view.State, "the walk-through completes a renewal")

	renewed := readCertificate(t, filepath.Join(work, "new.pem"))
	old := sub.certificate(t)
	assert.Equal(t, old.Subject.String(), renewed.Subject.String(), "an empty request subject is the same subject")
	if assert.NotNil(t, view.Issued) {
		assert.Equal(t, renewed.SerialNumber.Text(16), view.Issued.Serial, "new.pem is the certificate issued")
	}
	out2, err := openssl(t, "verify", "-CAfile", filepath.Join(suite.DataDir, "demo", "root.pem"), "-untrusted", filepath.Join(work, "new.pem"), filepath.Join(work, "new.pem"))
	assert.NoError(t, err, out2)
}
