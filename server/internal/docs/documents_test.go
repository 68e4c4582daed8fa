package docs_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/docs"
)

var msk = time.FixedZone("MSK", 3*60*60)

func sampleApplication() docs.Application {
	return docs.Application{
		Number:       "RU-2026-000042",
		Date:         time.Date(2026, 3, 14, 12, 26, 53, 0, msk),
		Jurisdiction: "RU",
		Centre:       "Удостоверяющий центр ООО «Тест»",
		Service:      "Продление КЭП (Я владелец)",
		Tariff:       "Базовый",
		Amount:       "2\u00a0500,00 ₽",
		Holder: []docs.Field{
			{"ФИО", "Смирнов Алексей Викторович"},
			{"ИНН", "771234567890"},
			{"СНИЛС", "112-233-445 95"},
			{"Паспорт", "4510 123456, выдан ГУ МВД России по г. Москве 01.02.2015, код подразделения 770-001"},
			{"Организация", "Общество с ограниченной ответственностью «Очень длинное наименование организации, которое не помещается в одну строку таблицы»"},
			{"Должность", "Генеральный директор"},
			{"E-mail", "smirnov@example.ru"},
			{"Телефон", "+7 900 123-45-67"},
		},
		Current: []docs.Field{
			{"Серийный номер", "01DA6F3C2B0000000000A1B2C3D4E5F6"},
			{"Издатель", "ООО «Тест», г. Москва"},
			{"Действителен до", "20.04.2026"},
		},
	}
}

func sampleForm() docs.CertificateForm {
	return docs.CertificateForm{
		Number:       "7C1F0A",
		Date:         time.Date(2026, 3, 15, 10, 0, 0, 0, msk),
		Jurisdiction: "RU",
		Centre:       "Удостоверяющий центр ООО «Тест»",
		Subject: []docs.Field{
			{"Владелец", "Смирнов Алексей Викторович"},
			{"СНИЛС", "112-233-445 95"},
		},
		Certificate: []docs.Field{
			{"Серийный номер", "7C1F0A"},
			{"Действителен", "с 15.03.2026 по 15.03.2027"},
			{"Алгоритм ключа", "ECDSA P-256"},
			{"Использование ключа", "Цифровая подпись, Неотрекаемость"},
			{"Политики", "1.2.643.100.113.1 (КС1)"},
		},
		PublicKeyHex: "3059301306072a8648ce3d020106082a8648ce3d03010703420004" + strings.Repeat("a1b2c3d4", 16),
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext must be installed (apt-get install -y poppler-utils)")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").CombinedOutput()
	require.NoError(t, err, "pdftotext: %s", out)
	return string(out)
}

func TestRenderApplicationText(t *testing.T) {
	by := sampleApplication()
	by.Jurisdiction, by.Amount, by.Service = "BY", "45,00 BYN", "6.0.00 Дистанционное издание сертификата открытого ключа"
	by.Holder = []docs.Field{{"ФИО", "Смирнов Алексей Викторович"}, {"Личный номер", "3010190A001PB1"}, {"СНИЛС", "—"}}
	tests := []struct {
		name string
		app  docs.Application
		want []string
	}{
		{"RU", sampleApplication(), []string{
			"Заявление № RU-2026-000042", "Смирнов Алексей Викторович", "СНИЛС", "112-233-445 95",
			"Прошу изготовить новый квалифицированный сертификат", "63-ФЗ", "Удостоверяющий центр ООО «Тест»",
			"Продление КЭП (Я владелец)", "Базовый", "2 500,00 руб.", "01DA6F3C2B0000000000A1B2C3D4E5F6",
			"Дата: 14.03.2026", "подписано квалифицированной электронной подписью", "стр. 1 из 1",
		}},
		{"BY", by, []string{
			"Заявление", "Прошу издать сертификат открытого ключа", "113-З", "Смирнов Алексей Викторович",
			"СНИЛС", "3010190A001PB1", "45,00 BYN", "электронной цифровой подписью",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := docs.RenderApplication(tt.app)
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")))
			text := pdfText(t, pdf)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
		})
	}
}

func TestRenderCertificateFormText(t *testing.T) {
	by := sampleForm()
	by.Jurisdiction = "BY"
	tests := []struct {
		name string
		form docs.CertificateForm
		want []string
	}{
		{"RU", sampleForm(), []string{
			"Сертификат ключа проверки электронной подписи", "Смирнов Алексей Викторович", "7C1F0A",
			"ECDSA P-256", "1.2.643.100.113.1", "30 59 30 13 06 07 2A 86 48 CE 3D 02 01", "ознакомлен(а)",
			"Удостоверяющий центр ООО «Тест»",
		}},
		{"BY", by, []string{"Сертификат открытого ключа", "Открытый ключ проверки", "ознакомлен(а)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := docs.RenderCertificateForm(tt.form)
			require.NoError(t, err)
			text := pdfText(t, pdf)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
		})
	}
}

// The hash of the PDF is what the holder signs: rendering must be a pure
// function of the input.
func TestRenderDeterministic(t *testing.T) {
	tests := []struct {
		name    string
		render  func() ([]byte, error)
		created string // the document date in UTC
	}{
		{"application", func() ([]byte, error) { return docs.RenderApplication(sampleApplication()) }, "D:20260314092653"},
		{"form", func() ([]byte, error) { return docs.RenderCertificateForm(sampleForm()) }, "D:20260315070000"},
		{"invoice", func() ([]byte, error) { return docs.RenderInvoice(sampleInvoice()) }, "D:20260314092653"},
		{"invoice-BY", func() ([]byte, error) { return docs.RenderInvoice(sampleInvoiceBY()) }, "D:20260314092653"},
		{"act", func() ([]byte, error) { return docs.RenderAct(sampleClosing()) }, "D:20260314092653"},
		{"act-BY", func() ([]byte, error) { return docs.RenderAct(sampleClosingBY()) }, "D:20260314092653"},
		{"upd", func() ([]byte, error) { return docs.RenderUPD(sampleClosing()) }, "D:20260314092653"},
	}
	for _, tt := range tests {
		render := tt.render
		t.Run(tt.name, func(t *testing.T) {
			first, err := render()
			require.NoError(t, err)
			for range 5 {
				again, err := render()
				require.NoError(t, err)
				require.True(t, bytes.Equal(first, again), "two renders of the same input differ")
			}
			assert.True(t, bytes.Contains(first, []byte("/CreationDate ("+tt.created+")")), "creation date comes from the document date")
			assert.True(t, bytes.Contains(first, []byte("/ModDate ("+tt.created+")")), "modification date comes from the document date")

			// Concurrent renders (as concurrent requests do) agree too.
			var wg sync.WaitGroup
			results := make([][]byte, 4)
			for i := range results {
				wg.Go(func() { results[i], _ = render() })
			}
			wg.Wait()
			for _, r := range results {
				require.True(t, bytes.Equal(first, r), "a concurrent render differs")
			}
		})
	}
}

func TestRenderChangesWithInput(t *testing.T) {
	base, err := docs.RenderApplication(sampleApplication())
	require.NoError(t, err)
	appTests := []struct {
		name   string
		change func(*docs.Application)
	}{
		{"number", func(a *docs.Application) { a.Number += "1" }},
		{"date", func(a *docs.Application) { a.Date = a.Date.AddDate(0, 0, 1) }},
		{"holder-value", func(a *docs.Application) { a.Holder[2].Value = "112-233-445 96" }},
		{"holder-label", func(a *docs.Application) { a.Holder[0].Label = "Ф.И.О." }},
		{"current", func(a *docs.Application) { a.Current[2].Value = "21.04.2026" }},
		{"amount", func(a *docs.Application) { a.Amount = "2 600,00 ₽" }},
		{"centre", func(a *docs.Application) { a.Centre += "-2" }},
		{"jurisdiction", func(a *docs.Application) { a.Jurisdiction = "BY" }},
	}
	for _, tt := range appTests {
		t.Run("application/"+tt.name, func(t *testing.T) {
			a := sampleApplication()
			tt.change(&a)
			got, err := docs.RenderApplication(a)
			require.NoError(t, err)
			assert.NotEqual(t, base, got)
		})
	}

	baseForm, err := docs.RenderCertificateForm(sampleForm())
	require.NoError(t, err)
	formTests := []struct {
		name   string
		change func(*docs.CertificateForm)
	}{
		{"public-key", func(f *docs.CertificateForm) { f.PublicKeyHex = strings.Replace(f.PublicKeyHex, "a1", "a2", 1) }},
		{"subject", func(f *docs.CertificateForm) { f.Subject[0].Value = "Смирнов Алексей Петрович" }},
		{"certificate", func(f *docs.CertificateForm) { f.Certificate[1].Value = "с 15.03.2026 по 16.03.2027" }},
	}
	for _, tt := range formTests {
		t.Run("form/"+tt.name, func(t *testing.T) {
			f := sampleForm()
			tt.change(&f)
			got, err := docs.RenderCertificateForm(f)
			require.NoError(t, err)
			assert.NotEqual(t, baseForm, got)
		})
	}
}

func TestRenderLongAndOddInput(t *testing.T) {
	a := sampleApplication()
	for i := range 60 { // forces several pages; rows never split
		a.Holder = append(a.Holder, docs.Field{Label: "Поле " + strings.Repeat("д", i%7), Value: strings.Repeat("значение ", i%25)})
	}
	a.Holder = append(a.Holder,
		docs.Field{Label: "Эмодзи и управляющие", Value: "Ок 😀\x00\x07\tтаб\u200bZWSP"},
		docs.Field{Label: "Без пробелов", Value: strings.Repeat("A1B2C3D4", 40)},
		docs.Field{Label: "Пусто", Value: ""},
	)
	pdf, err := docs.RenderApplication(a)
	require.NoError(t, err)
	text := pdfText(t, pdf)
	assert.Contains(t, text, "стр. 2 из")
	assert.Contains(t, text, "Ок ?")
	assert.Contains(t, text, "таб")
}

func TestRenderRefusals(t *testing.T) {
	appTests := []struct {
		name   string
		change func(*docs.Application)
	}{
		{"jurisdiction-empty", func(a *docs.Application) { a.Jurisdiction = "" }},
		{"jurisdiction-unknown", func(a *docs.Application) { a.Jurisdiction = "KZ" }},
		{"number-empty", func(a *docs.Application) { a.Number = " " }},
		{"centre-empty", func(a *docs.Application) { a.Centre = "" }},
		{"date-zero", func(a *docs.Application) { a.Date = time.Time{} }},
	}
	for _, tt := range appTests {
		t.Run("application/"+tt.name, func(t *testing.T) {
			a := sampleApplication()
			tt.change(&a)
			pdf, err := docs.RenderApplication(a)
			require.Error(t, err)
			assert.Nil(t, pdf)
		})
	}
	for _, key := range []string{"", "zz", "abc"} {
		t.Run("form/public-key-"+key, func(t *testing.T) {
			f := sampleForm()
			f.PublicKeyHex = key
			_, err := docs.RenderCertificateForm(f)
			require.Error(t, err)
		})
	}
}
