package profile

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"renewal/ca/ident"
)

// Jurisdiction of a profile.
type Jurisdiction string

const (
	RU Jurisdiction = "RU"
	BY Jurisdiction = "BY"
)

// MaxValidityDays is the longest life a profile may give a certificate
// (three years, one of them leap), including carried-over days.
const MaxValidityDays = 3*365 + 1

// StringType is the ASN.1 string type an attribute is encoded with.
type StringType int

const (
	PrintableString StringType = asn1.TagPrintableString
	UTF8String      StringType = asn1.TagUTF8String
	NumericString   StringType = asn1.TagNumericString
	IA5String       StringType = asn1.TagIA5String
)

var stringTypes = map[string]StringType{
	"PrintableString": PrintableString,
	"UTF8String":      UTF8String,
	"NumericString":   NumericString,
	"IA5String":       IA5String,
}

// Tag is the universal ASN.1 tag of the type.
func (t StringType) Tag() int { return int(t) }

func (t StringType) String() string {
	for name, v := range stringTypes {
		if v == t {
			return name
		}
	}
	return fmt.Sprintf("StringType(%d)", int(t))
}

var identKinds = map[string]ident.Kind{
	"INNLegal":         ident.INNLegal,
	"INNPerson":        ident.INNPerson,
	"SNILS":            ident.SNILS,
	"OGRN":             ident.OGRN,
	"OGRNIP":           ident.OGRNIP,
	"UNP":              ident.UNP,
	"BYPersonalNumber": ident.BYPersonalNumber,
	"RUPassport":       ident.RUPassport,
}

// Key usage names a profile may use. keyCertSign and cRLSign belong to CAs,
// keyAgreement to ECDH: none of them fits a signature certificate.
var (
	keyUsageAny = map[string]x509.KeyUsage{
		"digitalSignature":  x509.KeyUsageDigitalSignature,
		"nonRepudiation":    x509.KeyUsageContentCommitment,
		"contentCommitment": x509.KeyUsageContentCommitment,
	}
	keyUsageRSAOnly = map[string]x509.KeyUsage{
		"keyEncipherment":  x509.KeyUsageKeyEncipherment,
		"dataEncipherment": x509.KeyUsageDataEncipherment,
	}
	extKeyUsageNames = map[string]asn1.ObjectIdentifier{
		"clientAuth":      {1, 3, 6, 1, 5, 5, 7, 3, 2},
		"emailProtection": {1, 3, 6, 1, 5, 5, 7, 3, 4},
	}
	// EKUs that make no sense on a personal signature certificate.
	extKeyUsageRefused = map[string]bool{
		"1.3.6.1.5.5.7.3.1": true, // serverAuth: these are not TLS certificates
		"1.3.6.1.5.5.7.3.8": true, // timeStamping: must be alone and critical
		"1.3.6.1.5.5.7.3.9": true, // OCSPSigning: delegated responders only
		"2.5.29.37.0":       true, // anyExtendedKeyUsage
	}
)

// Attribute is one validated subject attribute of a profile.
type Attribute struct {
	Name     string
	OID      asn1.ObjectIdentifier
	Type     StringType
	Required bool
	Length   int        // exact length in characters, 0: any
	Ident    ident.Kind // meaningful when HasIdent
	HasIdent bool
}

// RUExtensions are the validated Russian extensions of a profile.
type RUExtensions struct {
	SubjectSignTool    string
	SubjectSignTools   map[string]string // by carrier; see SubjectSignToolFor
	IssuerSignTool     [4]string
	IdentificationKind int
	// PrivateKeyUsagePeriod: write privateKeyUsagePeriod on issuance.
	PrivateKeyUsagePeriod bool
}

// The carriers of a new key, as the wizard names them.
const (
	CarrierBrowser = "browser" // a non-extractable WebCrypto key in the person's browser
	CarrierFile    = "file"    // a password-protected PKCS#12 file the person saves
	CarrierRequest = "request" // a PKCS#10 request made by the person's own tool
)

// Carriers lists every carrier a request may name.
var Carriers = []string{CarrierBrowser, CarrierFile, CarrierRequest}

// ErrUnknownCarrier: a carrier outside Carriers.
var ErrUnknownCarrier = errors.New("profile: unknown key carrier")

// SubjectSignToolFor is the signature-tool text for a carrier: the
// configured one, else SubjectSignTool, with "{key}" replaced by the new
// key's algorithm as people read it (key, as in KeyAlgorithms: "ECDSA
// P-256"). A carrier outside Carriers is refused: the browser only chooses
// among the configured texts.
func (ru *RUExtensions) SubjectSignToolFor(carrier, key string) (string, error) {
	if !slices.Contains(Carriers, carrier) {
		return "", fmt.Errorf("%w %q", ErrUnknownCarrier, carrier)
	}
	s, ok := ru.SubjectSignTools[carrier]
	if !ok {
		s = ru.SubjectSignTool
	}
	return strings.ReplaceAll(s, "{key}", KeyAlgorithmLabel(key)), nil
}

// KeyAlgorithmLabel names a key algorithm as people read it: "ecdsa-p256"
// is "ECDSA P-256", "rsa-2048" is "RSA-2048".
func KeyAlgorithmLabel(alg string) string {
	if l, ok := gostLabel(alg); ok {
		return l
	}
	if c, ok := strings.CutPrefix(alg, "ecdsa-p"); ok {
		return "ECDSA P-" + c
	}
	if b, ok := strings.CutPrefix(alg, "rsa-"); ok {
		return "RSA-" + b
	}
	return alg
}

// DefaultKeyAlgorithms is what a profile without key_algorithms takes; its
// first is the key the wizard makes. The one place to change when GOST and
// bign keys arrive (issues 14 and 15).
var DefaultKeyAlgorithms = []string{"ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096"}

// knownKeyAlgorithms are the names key_algorithms may use (the GOST ones
// in gost.go).
var knownKeyAlgorithms = append([]string{"ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096"}, gostKeyNames...)

// KeyAlgorithms are the keys a request may carry; the first is the one the
// wizard makes.
func (p *Profile) KeyAlgorithms() []string { return slices.Clone(p.keyAlgs) }

// KeyAllowed reports whether a key named as in KeyAlgorithms is allowed:
// by its own name, or for a GOST set ("gost2012-256-B") by its family
// ("gost2012-256").
func (p *Profile) KeyAllowed(alg string) bool {
	if alg == "" {
		return false
	}
	if slices.Contains(p.keyAlgs, alg) {
		return true
	}
	f := gostFamily(alg)
	return f != "" && slices.Contains(p.keyAlgs, f)
}

// Tariff is a usage sphere.
type Tariff struct {
	Code        string
	NameRU      string
	NameEN      string
	Policies    []asn1.ObjectIdentifier
	ExtKeyUsage []asn1.ObjectIdentifier
}

// Profile is a validated jurisdiction profile. It is immutable: accessors
// return copies.
type Profile struct {
	name           string
	jurisdiction   Jurisdiction
	nameRU, nameEN string
	attrs          []Attribute
	validity       int
	window         int
	grace          int
	replacedAfter  int
	maxRenewals    int
	carry          bool
	carryCap       int
	keyUsage       x509.KeyUsage
	keyUsageRSA    x509.KeyUsage
	keyAlgs        []string
	eku            []asn1.ObjectIdentifier
	policies       []asn1.ObjectIdentifier
	copyEmail      bool
	refuseChain    bool
	ru             *RUExtensions
	tariffs        []Tariff
}

const day = 24 * time.Hour

func (p *Profile) Name() string               { return p.name }
func (p *Profile) Jurisdiction() Jurisdiction { return p.jurisdiction }
func (p *Profile) NameRU() string             { return p.nameRU }
func (p *Profile) NameEN() string             { return p.nameEN }
func (p *Profile) Attributes() []Attribute    { return slices.Clone(p.attrs) }

// Attribute returns the profile's attribute with that OID.
func (p *Profile) Attribute(oid asn1.ObjectIdentifier) (Attribute, bool) {
	for _, a := range p.attrs {
		if a.OID.Equal(oid) {
			return a, true
		}
	}
	return Attribute{}, false
}

// AttributeByName returns the profile's attribute with that name.
func (p *Profile) AttributeByName(name string) (Attribute, bool) {
	for _, a := range p.attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

func (p *Profile) Validity() time.Duration      { return time.Duration(p.validity) * day }
func (p *Profile) RenewalWindow() time.Duration { return time.Duration(p.window) * day }
func (p *Profile) Grace() time.Duration         { return time.Duration(p.grace) * day }

// DefaultMaxRenewalsPerYear: the usual renewal, and one more for a
// mistake (a lost key, a wrong carrier).
const DefaultMaxRenewalsPerYear = 2

// MaxRenewalsPerYear bounds the remote renewals of one lineage in 365 days.
func (p *Profile) MaxRenewalsPerYear() int {
	if p.maxRenewals == 0 {
		return DefaultMaxRenewalsPerYear
	}
	return p.maxRenewals
}

// ReplacedRevocation is how long after the acknowledgement of the new
// certificate the replaced one is revoked as superseded (0: at once).
func (p *Profile) ReplacedRevocation() time.Duration { return time.Duration(p.replacedAfter) * day }

// CarryRemaining says whether the days left on the current certificate are
// added to the new one, and the most that may be added.
func (p *Profile) CarryRemaining() (bool, time.Duration) {
	return p.carry, time.Duration(p.carryCap) * day
}

// KeyUsage for a certificate of this profile; rsa adds the RSA-only bits.
func (p *Profile) KeyUsage(rsa bool) x509.KeyUsage {
	if rsa {
		return p.keyUsage | p.keyUsageRSA
	}
	return p.keyUsage
}

func (p *Profile) ExtKeyUsage() []asn1.ObjectIdentifier { return cloneOIDs(p.eku) }
func (p *Profile) Policies() []asn1.ObjectIdentifier    { return cloneOIDs(p.policies) }
func (p *Profile) CopyEmailToSAN() bool                 { return p.copyEmail }
func (p *Profile) RefuseRemoteChain() bool              { return p.refuseChain }

// RU returns the Russian extensions, or nil when the profile has none.
func (p *Profile) RU() *RUExtensions {
	if p.ru == nil {
		return nil
	}
	c := *p.ru
	c.SubjectSignTools = maps.Clone(p.ru.SubjectSignTools)
	return &c
}

// Tariffs in configuration order.
func (p *Profile) Tariffs() []Tariff {
	out := make([]Tariff, len(p.tariffs))
	for i, t := range p.tariffs {
		out[i] = t.clone()
	}
	return out
}

// Tariff by code.
func (p *Profile) Tariff(code string) (Tariff, bool) {
	for _, t := range p.tariffs {
		if t.Code == code {
			return t.clone(), true
		}
	}
	return Tariff{}, false
}

func (t Tariff) clone() Tariff {
	t.Policies = cloneOIDs(t.Policies)
	t.ExtKeyUsage = cloneOIDs(t.ExtKeyUsage)
	return t
}

func cloneOIDs(in []asn1.ObjectIdentifier) []asn1.ObjectIdentifier {
	out := make([]asn1.ObjectIdentifier, len(in))
	for i, o := range in {
		out[i] = slices.Clone(o)
	}
	return out
}

// Set is the validated collection of profiles.
type Set struct {
	profiles map[string]*Profile
}

// Get returns a profile by name.
func (s *Set) Get(name string) (*Profile, bool) {
	p, ok := s.profiles[name]
	return p, ok
}

// Names of the profiles, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.profiles))
	for n := range s.profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New validates a configuration and builds the profile set. Every error names
// the profile and the field.
func New(cfg FileConfig) (*Set, error) {
	if len(cfg.Profiles) == 0 {
		return nil, errors.New("profile: no profiles configured")
	}
	s := &Set{profiles: make(map[string]*Profile, len(cfg.Profiles))}
	for name, pc := range cfg.Profiles {
		p, err := newProfile(name, pc)
		if err != nil {
			return nil, fmt.Errorf("profile %q: %w", name, err)
		}
		s.profiles[name] = p
	}
	return s, nil
}

func newProfile(name string, c ProfileConfig) (*Profile, error) {
	if name == "" {
		return nil, errors.New("empty profile name")
	}
	p := &Profile{
		name:          name,
		nameRU:        c.NameRU,
		nameEN:        c.NameEN,
		validity:      c.ValidityDays,
		window:        c.RenewalWindowDays,
		grace:         c.GraceDays,
		replacedAfter: c.ReplacedRevocationDays,
		maxRenewals:   c.MaxRenewalsPerYear,
		carry:         c.CarryRemainingDays,
		carryCap:      c.CarryCapDays,
		copyEmail:     c.CopyEmailToSAN,
		refuseChain:   c.RefuseRemoteChain,
	}
	switch Jurisdiction(c.Jurisdiction) {
	case RU, BY:
		p.jurisdiction = Jurisdiction(c.Jurisdiction)
	default:
		return nil, fmt.Errorf("jurisdiction %q: want RU or BY", c.Jurisdiction)
	}

	// Time bounds.
	switch {
	case c.ValidityDays <= 0 || c.ValidityDays > MaxValidityDays:
		return nil, fmt.Errorf("validity_days %d: want 1..%d", c.ValidityDays, MaxValidityDays)
	case c.RenewalWindowDays <= 0 || c.RenewalWindowDays >= c.ValidityDays:
		return nil, fmt.Errorf("renewal_window_days %d: want 1..%d (less than the validity)", c.RenewalWindowDays, c.ValidityDays-1)
	case c.GraceDays < 0 || c.GraceDays > c.RenewalWindowDays:
		return nil, fmt.Errorf("grace_days %d: want 0..%d (at most the renewal window)", c.GraceDays, c.RenewalWindowDays)
	case c.MaxRenewalsPerYear < 0 || c.MaxRenewalsPerYear > 12:
		return nil, fmt.Errorf("max_renewals_per_year %d: want 0 (the default, %d) or 1..12", c.MaxRenewalsPerYear, DefaultMaxRenewalsPerYear)
	case c.ReplacedRevocationDays < 0 || c.ReplacedRevocationDays > c.RenewalWindowDays:
		return nil, fmt.Errorf("replaced_revocation_days %d: want 0..%d (at most the renewal window)", c.ReplacedRevocationDays, c.RenewalWindowDays)
	case c.CarryCapDays < 0:
		return nil, fmt.Errorf("carry_cap_days %d: must not be negative", c.CarryCapDays)
	case c.CarryRemainingDays && c.ValidityDays+c.CarryCapDays > MaxValidityDays:
		return nil, fmt.Errorf("validity_days + carry_cap_days = %d: more than %d", c.ValidityDays+c.CarryCapDays, MaxValidityDays)
	}

	// Subject attributes.
	if len(c.Subject) == 0 {
		return nil, errors.New("subject: no attributes")
	}
	names := map[string]bool{}
	oids := map[string]bool{}
	for i, ac := range c.Subject {
		a, err := newAttribute(ac)
		if err != nil {
			return nil, fmt.Errorf("subject[%d]: %w", i, err)
		}
		if names[a.Name] {
			return nil, fmt.Errorf("subject[%d]: duplicate attribute name %q", i, a.Name)
		}
		if oids[a.OID.String()] {
			return nil, fmt.Errorf("subject[%d]: duplicate attribute OID %s", i, a.OID)
		}
		names[a.Name], oids[a.OID.String()] = true, true
		p.attrs = append(p.attrs, a)
	}

	// Key usage.
	var err error
	if len(c.KeyUsage) == 0 {
		return nil, errors.New("key_usage: empty")
	}
	if p.keyUsage, err = keyUsages(c.KeyUsage, false); err != nil {
		return nil, fmt.Errorf("key_usage: %w", err)
	}
	if p.keyUsageRSA, err = keyUsages(c.KeyUsageRSA, true); err != nil {
		return nil, fmt.Errorf("key_usage_rsa: %w", err)
	}
	if p.keyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, errors.New("key_usage: a signature certificate needs digitalSignature")
	}
	if p.eku, err = extKeyUsages(c.ExtKeyUsage); err != nil {
		return nil, fmt.Errorf("extended_key_usage: %w", err)
	}
	if p.policies, err = parseOIDs(c.Policies); err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	p.keyAlgs = slices.Clone(c.KeyAlgorithms)
	if len(p.keyAlgs) == 0 {
		p.keyAlgs = slices.Clone(DefaultKeyAlgorithms)
	}
	for i, a := range p.keyAlgs {
		if !slices.Contains(knownKeyAlgorithms, a) {
			return nil, fmt.Errorf("key_algorithms[%d]: unknown %q (want one of %v)", i, a, knownKeyAlgorithms)
		}
		if slices.Index(p.keyAlgs, a) != i {
			return nil, fmt.Errorf("key_algorithms[%d]: %q twice", i, a)
		}
	}

	if c.RUExtensions != nil {
		ru := c.RUExtensions
		if ru.SubjectSignTool == "" {
			return nil, errors.New("ru_extensions.subject_sign_tool: empty")
		}
		if len(ru.IssuerSignTool) != 4 {
			return nil, fmt.Errorf("ru_extensions.issuer_sign_tool: %d strings, want 4", len(ru.IssuerSignTool))
		}
		if ru.IdentificationKind < 0 || ru.IdentificationKind > 3 {
			return nil, fmt.Errorf("ru_extensions.identification_kind %d: want 0..3", ru.IdentificationKind)
		}
		p.ru = &RUExtensions{SubjectSignTool: ru.SubjectSignTool, IdentificationKind: ru.IdentificationKind, PrivateKeyUsagePeriod: ru.PrivateKeyUsagePeriod}
		for carrier, text := range ru.SubjectSignTools {
			if !slices.Contains(Carriers, carrier) {
				return nil, fmt.Errorf("ru_extensions.subject_sign_tools: unknown carrier %q (want one of %v)", carrier, Carriers)
			}
			if text == "" {
				return nil, fmt.Errorf("ru_extensions.subject_sign_tools.%s: empty", carrier)
			}
		}
		p.ru.SubjectSignTools = maps.Clone(ru.SubjectSignTools)
		for i, s := range ru.IssuerSignTool {
			if s == "" {
				return nil, fmt.Errorf("ru_extensions.issuer_sign_tool[%d]: empty", i)
			}
			p.ru.IssuerSignTool[i] = s
		}
	}
	if c.RefuseRemoteChain && p.ru == nil {
		return nil, errors.New("refuse_remote_chain needs ru_extensions (IdentificationKind)")
	}

	// Tariffs.
	if len(c.Tariffs) == 0 {
		return nil, errors.New("tariffs: at least one usage sphere is needed")
	}
	codes := map[string]bool{}
	for i, tc := range c.Tariffs {
		if tc.Code == "" {
			return nil, fmt.Errorf("tariffs[%d]: empty code", i)
		}
		if codes[tc.Code] {
			return nil, fmt.Errorf("tariffs[%d]: duplicate tariff code %q", i, tc.Code)
		}
		codes[tc.Code] = true
		if tc.NameRU == "" || tc.NameEN == "" {
			return nil, fmt.Errorf("tariffs[%d] %q: name_ru and name_en are required", i, tc.Code)
		}
		t := Tariff{Code: tc.Code, NameRU: tc.NameRU, NameEN: tc.NameEN}
		if t.Policies, err = parseOIDs(tc.Policies); err != nil {
			return nil, fmt.Errorf("tariffs[%d] %q policies: %w", i, tc.Code, err)
		}
		if t.ExtKeyUsage, err = extKeyUsages(tc.ExtKeyUsage); err != nil {
			return nil, fmt.Errorf("tariffs[%d] %q extended_key_usage: %w", i, tc.Code, err)
		}
		p.tariffs = append(p.tariffs, t)
	}
	return p, nil
}

func newAttribute(c AttributeConfig) (Attribute, error) {
	if c.Name == "" {
		return Attribute{}, errors.New("attribute without a name")
	}
	oid, err := ParseOID(c.OID)
	if err != nil {
		return Attribute{}, fmt.Errorf("attribute %q: %w", c.Name, err)
	}
	t, ok := stringTypes[c.Type]
	if !ok {
		return Attribute{}, fmt.Errorf("attribute %q: unknown attribute type %q (want PrintableString, UTF8String, NumericString or IA5String)", c.Name, c.Type)
	}
	if c.Length < 0 {
		return Attribute{}, fmt.Errorf("attribute %q: negative length", c.Name)
	}
	a := Attribute{Name: c.Name, OID: oid, Type: t, Required: c.Required, Length: c.Length}
	if c.Ident != "" {
		k, ok := identKinds[c.Ident]
		if !ok {
			return Attribute{}, fmt.Errorf("attribute %q: unknown identifier kind %q", c.Name, c.Ident)
		}
		a.Ident, a.HasIdent = k, true
	}
	return a, nil
}

func keyUsages(names []string, rsaAllowed bool) (x509.KeyUsage, error) {
	var ku x509.KeyUsage
	for _, n := range names {
		if v, ok := keyUsageAny[n]; ok {
			ku |= v
			continue
		}
		if v, ok := keyUsageRSAOnly[n]; ok {
			if !rsaAllowed {
				return 0, fmt.Errorf("%q applies to RSA keys only: put it in key_usage_rsa", n)
			}
			ku |= v
			continue
		}
		return 0, fmt.Errorf("unknown key usage %q", n)
	}
	return ku, nil
}

func extKeyUsages(names []string) ([]asn1.ObjectIdentifier, error) {
	var out []asn1.ObjectIdentifier
	seen := map[string]bool{}
	for _, n := range names {
		oid, ok := extKeyUsageNames[n]
		if !ok {
			var err error
			if oid, err = ParseOID(n); err != nil {
				return nil, fmt.Errorf("unknown extended key usage %q: %w", n, err)
			}
		}
		if extKeyUsageRefused[oid.String()] {
			return nil, fmt.Errorf("extended key usage %q does not belong on a signature certificate", n)
		}
		if seen[oid.String()] {
			return nil, fmt.Errorf("duplicate extended key usage %q", n)
		}
		seen[oid.String()] = true
		out = append(out, slices.Clone(oid))
	}
	return out, nil
}

func parseOIDs(in []string) ([]asn1.ObjectIdentifier, error) {
	var out []asn1.ObjectIdentifier
	seen := map[string]bool{}
	for _, s := range in {
		oid, err := ParseOID(s)
		if err != nil {
			return nil, err
		}
		if seen[oid.String()] {
			return nil, fmt.Errorf("duplicate OID %s", oid)
		}
		seen[oid.String()] = true
		out = append(out, oid)
	}
	return out, nil
}
