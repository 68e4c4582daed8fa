package docs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/docs"
)

// rawText is a PDF's text in drawing order (pdftotext -raw): a cell's
// lines follow each other, whatever stands beside it.
func rawText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext must be installed (apt-get install -y poppler-utils)")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").CombinedOutput()
	require.NoError(t, err, "pdftotext: %s", out)
	return string(out)
}

// squeeze drops all white space, so that a value wrapped over lines of
// its cell still reads whole.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// The longest values a real centre and buyer have: full legal names,
// branch banks, long addresses, an IBAN, 20-digit accounts, an ИП with
// ОГРНИП and a 12-digit ИНН, a 20-byte serial. Each document renders (no
// text outside its cell: finish refuses that) and shows every value whole.
func TestDocumentsLongestValuesWhole(t *testing.T) {
	sellerRU := docs.Party{
		Name:        "Акционерное общество «Научно-производственный центр «Удостоверяющий центр электронных подписей и информационной безопасности»",
		INN:         "7704218655",
		KPP:         "770401001",
		OGRN:        "1027700132195",
		Address:     "119034, Российская Федерация, г. Москва, вн. тер. г. муниципальный округ Хамовники, ул. Пречистенка, д. 10, стр. 2, помещ. I, ком. 14",
		Bank:        "ФИЛИАЛ «ЦЕНТРАЛЬНЫЙ» ПУБЛИЧНОГО АКЦИОНЕРНОГО ОБЩЕСТВА «СОВКОМБАНК» (Бердск, Новосибирская обл.)",
		BIC:         "045004763",
		Account:     "40702810900000012345",
		CorrAccount: "30101810150040000763",
	}
	ip := docs.Party{Name: "ИП Константинопольская-Щедрина Александра Константиновна", INN: "771952685970", OGRNIP: "318774611964131"}
	lines := []docs.Line{{
		Name:     "Изготовление квалифицированного сертификата ключа проверки электронной подписи (продление без посещения УЦ): Константинопольская-Щедрина Александра Константиновна",
		Quantity: 500, Unit: "усл.", PriceMinor: 250000,
	}}
	date := time.Date(2026, 12, 31, 23, 59, 0, 0, msk)
	serial := "7f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"

	inv := docs.Invoice{Number: "RN-2026-000123", Date: date, Jurisdiction: "RU", Currency: "RUB",
		Seller: sellerRU, Buyer: ip, Lines: lines, VATRate: 22, VATIncluded: true, DueDays: 5,
		Purpose: "Оплата по счёту № RN-2026-000123 за продление сертификата, заявка 37bfa4uifutrr4u2"}
	act := docs.Closing{Number: "A-2026-000123", Date: date, Jurisdiction: "RU", Currency: "RUB",
		Seller: sellerRU, Buyer: ip, Lines: lines, VATRate: 22, VATIncluded: true,
		Basis: "Счёт № RN-2026-000123 от 31.12.2026", Certificate: serial}
	short := inv // a one-line bank: row 1 is then as high as the BIC and the correspondent account need
	short.Seller.Bank = "ПАО Сбербанк"
	invBY := inv
	invBY.Jurisdiction, invBY.Currency, invBY.VATRate = "BY", "BYN", 20
	invBY.Seller = docs.Party{
		Name: "Республиканское унитарное предприятие «Национальный центр электронных услуг» (пример)", UNP: "191234563",
		Address: "220030, Республика Беларусь, г. Минск, Первомайский район, пр-т Независимости, д. 15, пом. 4Н, каб. 312",
		Bank:    "Открытое акционерное общество «Белорусский народный сберегательный банк «Пример-Банк», г. Минск",
		BIC:     "PRBYBY2X", Account: "BY20PRBY30120000000000000000",
	}
	invBY.Buyer = docs.Party{Name: "ИП Константинопольская-Щедрина Александра Константиновна", UNP: "299836905"}
	actBY := act
	actBY.Jurisdiction, actBY.Currency, actBY.Seller, actBY.Buyer, actBY.VATRate = "BY", "BYN", invBY.Seller, invBY.Buyer, 20

	partyValues := func(p docs.Party) []string {
		return []string{p.Name, p.INN, p.KPP, p.OGRN, p.OGRNIP, p.UNP, p.Address, p.Bank, p.BIC, p.Account, p.CorrAccount}
	}
	tests := []struct {
		name   string
		render func() ([]byte, error)
		want   []string
	}{
		{"invoice/RU", func() ([]byte, error) { return docs.RenderInvoice(inv) },
			append(partyValues(sellerRU), ip.Name, "ИНН 771952685970", "ОГРНИП 318774611964131", lines[0].Name, "1 250 000,00", inv.Purpose)},
		{"invoice/RU-short-bank", func() ([]byte, error) { return docs.RenderInvoice(short) },
			[]string{"ПАО Сбербанк", "БИК 045004763", "Сч. № 30101810150040000763", "Сч. № 40702810900000012345"}},
		{"invoice/BY", func() ([]byte, error) { return docs.RenderInvoice(invBY) },
			append(partyValues(invBY.Seller), invBY.Buyer.Name, "УНП 299836905", lines[0].Name, "1 250 000,00")},
		{"act/RU", func() ([]byte, error) { return docs.RenderAct(act) },
			append(partyValues(sellerRU), ip.Name, "ОГРНИП 318774611964131", act.Basis, serial, "1 250 000,00")},
		{"act/BY", func() ([]byte, error) { return docs.RenderAct(actBY) },
			append(partyValues(invBY.Seller), invBY.Buyer.Name, serial, "1 250 000,00")},
		{"upd/RU", func() ([]byte, error) { return docs.RenderUPD(act) },
			[]string{sellerRU.Name, sellerRU.Address, "7704218655/770401001", ip.Name, "771952685970", lines[0].Name, act.Basis, serial, "1 250 000,00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := tt.render()
			require.NoError(t, err)
			text := squeeze(rawText(t, pdf))
			for _, v := range tt.want {
				if v != "" {
					assert.Contains(t, text, squeeze(v))
				}
			}
		})
	}
}
