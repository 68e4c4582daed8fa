// Package profile holds the jurisdiction profiles of the certification
// authority: what a renewed certificate looks like in Russia (RU) and Belarus
// (BY). Profiles are configuration, not constants: defaults are embedded
// (defaults.yaml) and an operator's override file is merged over them.
//
// The exported *Config types mirror the YAML. They are turned into private,
// validated structures by New (or Load), which refuses impossible bounds at
// start-up instead of at the first signature.
package profile

// FileConfig is the YAML document: profiles by name.
type FileConfig struct {
	Profiles map[string]ProfileConfig `yaml:"profiles"`
}

// ProfileConfig is one jurisdiction profile as written in YAML.
type ProfileConfig struct {
	// Jurisdiction is "RU" or "BY".
	Jurisdiction string `yaml:"jurisdiction"`
	// NameRU and NameEN describe the profile to a person.
	NameRU string `yaml:"name_ru"`
	NameEN string `yaml:"name_en"`

	// Subject lists every attribute the subject may carry, in order.
	Subject []AttributeConfig `yaml:"subject"`

	// ValidityDays is the life of an issued certificate.
	ValidityDays int `yaml:"validity_days"`
	// RenewalWindowDays: renewal opens this many days before notAfter.
	RenewalWindowDays int `yaml:"renewal_window_days"`
	// GraceDays: renewal stays open this many days after notAfter (0: none).
	GraceDays int `yaml:"grace_days"`
	// ReplacedRevocationDays: the certificate a renewal replaces is revoked
	// (superseded) this many days after the holder acknowledges the new
	// one; 0: at once.
	ReplacedRevocationDays int `yaml:"replaced_revocation_days"`
	// MaxRenewalsPerYear bounds the remote renewals of one lineage (a
	// certificate and those it replaced) within 365 days; beyond it the
	// holder identifies in person. 0: DefaultMaxRenewalsPerYear.
	MaxRenewalsPerYear int `yaml:"max_renewals_per_year"`
	// CarryRemainingDays adds the days left on the current certificate to the
	// new one, at most CarryCapDays.
	CarryRemainingDays bool `yaml:"carry_remaining_days"`
	CarryCapDays       int  `yaml:"carry_cap_days"`

	// KeyUsage names for every key; KeyUsageRSA names added for RSA keys only
	// (keyEncipherment is meaningless for an ECDSA key).
	KeyUsage    []string `yaml:"key_usage"`
	KeyUsageRSA []string `yaml:"key_usage_rsa"`
	// ExtKeyUsage: names (clientAuth, emailProtection) or dotted OIDs.
	ExtKeyUsage []string `yaml:"extended_key_usage"`
	// KeyAlgorithms are the new keys a request may carry: ecdsa-p256,
	// ecdsa-p384, rsa-2048, rsa-3072, rsa-4096. The FIRST is the one the
	// wizard makes; a person does not choose. Empty: DefaultKeyAlgorithms.
	KeyAlgorithms []string `yaml:"key_algorithms"`
	// Policies: certificate policy OIDs every certificate of the profile carries.
	Policies []string `yaml:"policies"`

	// CopyEmailToSAN puts the subject's emailAddress into subjectAltName as
	// an rfc822Name. Extensions requested in the CSR are never copied.
	CopyEmailToSAN bool `yaml:"copy_email_to_san"`
	// RefuseRemoteChain refuses a remote renewal of a certificate that was
	// itself issued remotely (IdentificationKind = 1): the Russian rule.
	RefuseRemoteChain bool `yaml:"refuse_remote_chain"`
	// RUExtensions: subjectSignTool, issuerSignTool, IdentificationKind.
	RUExtensions *RUExtensionsConfig `yaml:"ru_extensions"`

	// Tariffs are the usage spheres a person may choose.
	Tariffs []TariffConfig `yaml:"tariffs"`
}

// AttributeConfig is one subject attribute.
type AttributeConfig struct {
	// Name is a short label (cn, snils, ...), unique in the profile.
	Name string `yaml:"name"`
	// OID in dotted form.
	OID string `yaml:"oid"`
	// Type: PrintableString, UTF8String, NumericString or IA5String.
	Type     string `yaml:"type"`
	Required bool   `yaml:"required"`
	// Length, when not 0, is the exact number of characters.
	Length int `yaml:"length"`
	// Ident names the identifier kind whose check digits the value must pass:
	// INNLegal, INNPerson, SNILS, OGRN, OGRNIP, UNP, BYPersonalNumber, RUPassport.
	Ident string `yaml:"ident"`
}

// RUExtensionsConfig holds the Russian qualified-certificate extensions.
type RUExtensionsConfig struct {
	// SubjectSignTool (1.2.643.100.111): the subscriber's signature tool,
	// for a carrier SubjectSignTools does not name.
	SubjectSignTool string `yaml:"subject_sign_tool"`
	// SubjectSignTools: the subscriber's signature tool by the new key's
	// carrier (browser, file, request), so the certificate names the tool
	// that really holds the key.
	SubjectSignTools map[string]string `yaml:"subject_sign_tools"`
	// IssuerSignTool (1.2.643.100.112): exactly four strings: the issuer's
	// signature tool, the CA tool, and their two conformity certificates.
	IssuerSignTool []string `yaml:"issuer_sign_tool"`
	// IdentificationKind (1.2.643.100.114) written on issuance: 1 for a
	// remote issuance with a qualified certificate.
	IdentificationKind int `yaml:"identification_kind"`
	// PrivateKeyUsagePeriod: write privateKeyUsagePeriod (2.5.29.16,
	// non-critical, RFC 5280 4.2.1 / FSB order 795), the key's period of
	// use, equal to the certificate's validity.
	PrivateKeyUsagePeriod bool `yaml:"private_key_usage_period"`
}

// TariffConfig is a usage sphere: extra policies and/or EKUs.
type TariffConfig struct {
	Code        string   `yaml:"code"`
	NameRU      string   `yaml:"name_ru"`
	NameEN      string   `yaml:"name_en"`
	Policies    []string `yaml:"policies"`
	ExtKeyUsage []string `yaml:"extended_key_usage"`
}
