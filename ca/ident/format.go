package ident

// Format writes a canonical value (as Check returns it, or as a
// certificate carries it) the way people read and type it: СНИЛС
// "693-849-373 75", a passport "45 06 123456". The other kinds have no
// customary grouping and are returned as they are; so is a value that is
// not canonical for its kind, so that nothing is hidden or invented.
//
// This is the one formatter of identifiers: the wizard, the documents and
// the e-mails call it.
func Format(kind Kind, value string) string {
	switch kind {
	case SNILS:
		if len(value) == 11 && allDigits(value) {
			return value[0:3] + "-" + value[3:6] + "-" + value[6:9] + " " + value[9:11]
		}
	case RUPassport:
		if len(value) == 10 && allDigits(value) {
			return value[0:2] + " " + value[2:4] + " " + value[4:10]
		}
	}
	return value
}
