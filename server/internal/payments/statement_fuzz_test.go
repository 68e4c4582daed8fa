package payments

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// FuzzParseStatement: ParseStatement never panics; a refusal is a
// *StatementError (errors.Is ErrMalformedStatement) with a message in both
// languages; an accepted statement that WriteStatement can write reads
// back equal (Encoding "Windows", an empty version written as 1.03, Line
// fields aside).
func FuzzParseStatement(f *testing.F) {
	crlf := strings.ReplaceAll(sampleStatement, "\n", "\r\n")
	cp1251, _ := charmap.Windows1251.NewEncoder().String(crlf)
	dos := strings.NewReplacer("Кодировка=Windows", "Кодировка=DOS", "«", "\"", "»", "\"").Replace(sampleStatement)
	cp866, _ := charmap.CodePage866.NewEncoder().String(dos)
	for _, s := range []string{
		sampleStatement, crlf, cp1251, cp866, "\xef\xbb\xbf" + sampleStatement,
		// malformed: cut short, unclosed sections, garbage
		sampleStatement[:len(sampleStatement)/2],
		"1CClientBankExchange\nКонецФайла\n",
		"1CClientBankExchange\nСекцияДокумент=Платежное поручение\nКонецФайла\n",
		"1CClientBankExchange\nСекцияРасчСчет\nКонецФайла\n",
		"1CClientBankExchange\nСекцияДокумент=Платежное поручение\nНомер=1\nДата=31.02.2026\nСумма=1,005\nКонецДокумента\nКонецФайла\n",
		"1CClientBankExchange\nСекцияДокумент=\nСумма=-1\nКонецДокумента\nКонецФайла\n",
		"", "\r", "=\n", "\xff\xfe\x00", "1CClientBankExchange\r\rКонецФайла",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatement(bytes.NewReader(data))
		if err != nil {
			var se *StatementError
			if !errors.As(err, &se) || !errors.Is(err, ErrMalformedStatement) {
				t.Fatalf("refusal %T %v is not a *StatementError", err, err)
			}
			if se.RU == "" || se.EN == "" {
				t.Fatalf("refusal without a message: %+v", se)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteStatement(&out, s); err != nil {
			return // text Windows-1251 cannot hold, say: documented
		}
		again, err := ParseStatement(&out)
		if err != nil {
			t.Fatalf("written statement does not read back: %v\n%q", err, out.Bytes())
		}
		norm := func(s *Statement) {
			s.Encoding = "Windows"
			if s.Version == "" {
				s.Version = "1.03" // WriteStatement's default
			}
			for i := range s.Balances {
				s.Balances[i].Line = 0
			}
			for i := range s.Docs {
				s.Docs[i].Line = 0
			}
		}
		norm(s)
		norm(again)
		require.Equal(t, s, again, "round trip changed the statement")
	})
}
