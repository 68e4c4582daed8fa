package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkEntrepreneurInvoice: the demo ИП Смирнов's invoice is made out to
// his business (ИП, ИНН, ОГРНИП from his certificate), not to him as a
// private person, so that he can account for it.
func checkEntrepreneurInvoice(t *testing.T, pdf []byte) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
	require.NoError(t, err, string(out))
	text := strings.Join(strings.Fields(string(out)), " ")
	assert.Contains(t, text, "Покупатель (Заказчик) ИП Смирнов Алексей Викторович, ИНН 771952685970, ОГРНИП 318774611964131")
}
