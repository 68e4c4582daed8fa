package docs_test

import (
	"testing"

	"renewal/server/internal/docs"
)

// benchDocuments are the seven documents of TestRenderDeterministic, each
// rendered from its sample input.
var benchDocuments = []struct {
	name   string
	render func() ([]byte, error)
}{
	{"application", func() ([]byte, error) { return docs.RenderApplication(sampleApplication()) }},
	{"form", func() ([]byte, error) { return docs.RenderCertificateForm(sampleForm()) }},
	{"invoice", func() ([]byte, error) { return docs.RenderInvoice(sampleInvoice()) }},
	{"invoice-BY", func() ([]byte, error) { return docs.RenderInvoice(sampleInvoiceBY()) }},
	{"act", func() ([]byte, error) { return docs.RenderAct(sampleClosing()) }},
	{"act-BY", func() ([]byte, error) { return docs.RenderAct(sampleClosingBY()) }},
	{"upd", func() ([]byte, error) { return docs.RenderUPD(sampleClosing()) }},
}

// BenchmarkRender is one complete render of each document, from its input
// to the PDF's bytes.
func BenchmarkRender(b *testing.B) {
	for _, d := range benchDocuments {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				pdf, err := d.render()
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			b.ReportMetric(float64(size), "bytes/doc")
		})
	}
}

// BenchmarkRenderParallel renders the invoice from all GOMAXPROCS goroutines
// at once, as concurrent requests do.
func BenchmarkRenderParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := docs.RenderInvoice(sampleInvoice()); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
