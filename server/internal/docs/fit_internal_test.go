package docs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// finish refuses a document with text outside its cell, too wide or too
// many lines for the cell's height, and renders one whose text fits.
func TestFinishRefusesTextOutsideItsCell(t *testing.T) {
	tests := []struct {
		name    string
		width   float64
		h       float64
		lines   []string
		refused bool
	}{
		{"ok/fits", 60, 8, []string{"30101810400000000225"}, false},
		{"fail/too-wide", 20, 8, []string{"30101810400000000225"}, true},
		{"fail/too-low", 60, 4.7, []string{"30101810400000000225"}, true},
		{"fail/two-lines-in-one", 60, 8, []string{"Сч. №", "30101810400000000225"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWriter("Центр", "Тест", "Тест", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			w.pdf.SetFont(fontSans, "", bodySize)
			w.box(marginLeft, 40, tt.width, tt.h, cellPadding, lineHeight, tt.lines, "L", false)
			pdf, err := w.finish()
			if tt.refused {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "outside its cell")
				assert.Nil(t, pdf)
			} else {
				require.NoError(t, err)
			}
		})
	}
}
