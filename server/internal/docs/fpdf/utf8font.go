package fpdf

// Not in fpdf v0.9.0: a UTF-8 font parsed once and added to many documents
// (see README.md in this directory).

import (
	"bytes"
	"sync"
)

// UTF8Font is a UTF-8 TrueType font parsed once, to be added to any number
// of documents with AddUTF8FontParsed. A document using it is byte for byte
// the one AddUTF8FontFromBytes would make with the same bytes. It is never
// changed after ParseUTF8Font and is safe for concurrent use.
type UTF8Font struct {
	ttf []byte // the font file, never written

	// parsed is the result of parseFile on ttf. Each document gets a copy
	// that reads its own copy of ttf: GenerateCutFont writes into the bytes
	// it reads (getMetrics appends to a sub-slice of them) and replaces,
	// before using them, the maps and slices the copy shares with parsed.
	parsed utf8FontFile

	ids sync.Map // font key → generateFontID of the definition under that key
}

// ParseUTF8Font parses a TrueType font for AddUTF8FontParsed. It keeps a
// copy of utf8Bytes.
func ParseUTF8Font(utf8Bytes []byte) (*UTF8Font, error) {
	ttf := bytes.Clone(utf8Bytes)
	parsed := newUTF8Font(&fileReader{array: bytes.Clone(ttf)})
	if err := parsed.parseFile(); err != nil {
		return nil, err
	}
	font := &UTF8Font{ttf: ttf, parsed: *parsed}
	font.parsed.fileReader = nil
	return font, nil
}

// AddUTF8FontParsed is AddUTF8FontFromBytes for a font parsed beforehand:
// it neither parses the font nor encodes its definition to name it again.
func (f *Fpdf) AddUTF8FontParsed(familyStr, styleStr string, font *UTF8Font) {
	if f.err != nil {
		return
	}
	fontkey := getFontKey(fontFamilyEscape(familyStr), styleStr)
	if _, ok := f.fonts[fontkey]; ok {
		return
	}
	utf8File := font.parsed
	utf8File.fileReader = &fileReader{array: bytes.Clone(font.ttf)}
	def := f.utf8FontDef(fontkey, &utf8File)
	def.i = font.id(fontkey, def)
	f.fonts[fontkey] = def
}

// id is generateFontID(def), computed once per font key: the definition
// under a key depends only on the font (usedRunes and utf8File, which do
// change, are not encoded).
func (font *UTF8Font) id(fontkey string, def fontDefType) string {
	if id, ok := font.ids.Load(fontkey); ok {
		return id.(string)
	}
	id, _ := generateFontID(def)
	actual, _ := font.ids.LoadOrStore(fontkey, id)
	return actual.(string)
}

// utf8FontDef is the definition of a parsed UTF-8 font under fontkey, as
// addFontFromBytes built it in v0.9.0, without its id.
func (f *Fpdf) utf8FontDef(fontkey string, utf8File *utf8FontFile) fontDefType {
	desc := FontDescType{
		Ascent:       int(utf8File.Ascent),
		Descent:      int(utf8File.Descent),
		CapHeight:    utf8File.CapHeight,
		Flags:        utf8File.Flags,
		FontBBox:     utf8File.Bbox,
		ItalicAngle:  utf8File.ItalicAngle,
		StemV:        utf8File.StemV,
		MissingWidth: round(utf8File.DefaultWidth),
	}

	var sbarr map[int]int
	if f.aliasNbPagesStr == "" {
		sbarr = makeSubsetRange(57)
	} else {
		sbarr = makeSubsetRange(32)
	}
	return fontDefType{
		Tp:        "UTF8",
		Name:      fontkey,
		Desc:      desc,
		Up:        int(round(utf8File.UnderlinePosition)),
		Ut:        round(utf8File.UnderlineThickness),
		Cw:        utf8File.CharWidths,
		utf8File:  utf8File,
		usedRunes: sbarr,
	}
}
