package renewal

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/stretchr/testify/assert"

	"renewal/server/internal/docs"
)

// buyer makes the documents out to the business the certificate names (an
// organisation, or an ИП by his ОГРНИП or УНП), to the person otherwise.
func TestBuyer(t *testing.T) {
	cert := func(org string, attrs ...any) *x509.Certificate {
		c := &x509.Certificate{}
		c.Subject.CommonName = "Смирнов Алексей Викторович"
		if org != "" {
			c.Subject.Organization = []string{org}
		}
		for i := 0; i < len(attrs); i += 2 {
			c.Subject.Names = append(c.Subject.Names,
				pkix.AttributeTypeAndValue{Type: attrs[i].(asn1.ObjectIdentifier), Value: attrs[i+1]})
		}
		return c
	}
	tests := []struct {
		name, jurisdiction string
		cert               *x509.Certificate
		want               docs.Party
	}{
		{"ok/RU-entrepreneur", "RU", cert("", oidINN, "771952685970", oidOGRNIP, "318774611964131", oidSNILS, "69384937375"),
			docs.Party{Name: "ИП Смирнов Алексей Викторович", INN: "771952685970", OGRNIP: "318774611964131"}},
		{"ok/RU-organisation", "RU", cert("ООО «Северный ветер»", oidINN, "774389269314", oidINNLE, "7728735469", oidOGRN, "1157746848742"),
			docs.Party{Name: "ООО «Северный ветер»", INN: "7728735469", OGRN: "1157746848742"}},
		{"ok/RU-person", "RU", cert("", oidINN, "502495560602", oidSNILS, "36224614156"),
			docs.Party{Name: "Смирнов Алексей Викторович", INN: "502495560602"}},
		{"ok/BY-entrepreneur", "BY", cert("", oidPersonalNumber, "4150385B012PB6", oidUNP, "299836905"),
			docs.Party{Name: "ИП Смирнов Алексей Викторович", UNP: "299836905"}},
		{"ok/BY-organisation", "BY", cert("ООО «Белый аист»", oidPersonalNumber, "4300188H021PB4", oidUNP, "190602677"),
			docs.Party{Name: "ООО «Белый аист»", UNP: "190602677"}},
		{"ok/BY-person", "BY", cert("", oidPersonalNumber, "3071082C045PB8"),
			docs.Party{Name: "Смирнов Алексей Викторович"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, buyer(tt.jurisdiction, tt.cert))
		})
	}
}
