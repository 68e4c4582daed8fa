package app

import (
	"fmt"
	"strings"
	"testing"

	"renewal/app/browsercrypto"
)

// Why the file is asked for again: a damaged kept key is told apart from
// a browser that could not keep one, in both languages.
func TestReopenWhy(t *testing.T) {
	damaged := &Keys{keepErr: fmt.Errorf("load: %w", browsercrypto.ErrKeptKeyDamaged)}
	noStore := &Keys{keepErr: browsercrypto.ErrNoIndexedDB}
	for _, c := range []struct {
		k      *Keys
		ru, en string
	}{
		{damaged, "повреждена", "damaged"},
		{noStore, "не смог сохранить", "could not keep"},
		{&Keys{}, "другом браузере", "another browser"},
	} {
		if got := c.k.reopenWhy("ru"); !strings.Contains(got, c.ru) {
			t.Errorf("%v: %q", c.k.keepErr, got)
		}
		if got := c.k.reopenWhy("en"); !strings.Contains(got, c.en) {
			t.Errorf("%v: %q", c.k.keepErr, got)
		}
	}
}
