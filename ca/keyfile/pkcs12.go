package keyfile

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
)

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Cert      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidFriendlyName  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
)

// Profile names the algorithms a file is written with.
type Profile int

const (
	// ProfileAES: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC for the key
	// and the certificates, MAC HMAC-SHA256: what OpenSSL 3 writes by
	// default and reads everywhere, the GOST engine or not.
	ProfileAES Profile = iota
	// ProfileGOST: PBES2 with PBKDF2-HMAC-Streebog-512 and GOST 28147-89
	// (parameter set Z), MAC HMAC-Streebog-512 (R 50.1.112-2016): what
	// `openssl pkcs12 -export -keypbe gost89 -certpbe gost89 -macalg
	// md_gost12_512` writes; only OpenSSL with the GOST engine reads it.
	ProfileGOST
)

type profile struct {
	prf, cipher, mac asn1.ObjectIdentifier
	iterations       int
}

var profiles = map[Profile]profile{
	ProfileAES:  {prf: oidHMACSHA256, cipher: oidAES256CBC, mac: oidSHA256, iterations: DefaultIterations},
	ProfileGOST: {prf: oidHMACStreebog5, cipher: oidGOST28147, mac: oidStreebog512, iterations: DefaultIterationsGOST},
}

// Options tune the writers; the zero value is ProfileAES with
// DefaultIterations (ProfileGOST: DefaultIterationsGOST).
type Options struct {
	Profile    Profile
	Iterations int
	// Rand is the source of salts and IVs; crypto/rand when nil.
	Rand io.Reader
}

func (o *Options) resolve() (*profile, int, func(int) ([]byte, error), error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	pr, ok := profiles[opts.Profile]
	if !ok {
		return nil, 0, nil, fmt.Errorf("%w: profile %d", ErrUnsupported, opts.Profile)
	}
	it := opts.Iterations
	if it == 0 {
		it = pr.iterations
	}
	if m, _ := macFor(pr.mac); it < 1 || it > m.maxIter {
		return nil, 0, nil, fmt.Errorf("%w: %d", ErrIterations, it)
	}
	r := opts.Rand
	if r == nil {
		r = rand.Reader
	}
	random := func(n int) ([]byte, error) {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("keyfile: random: %w", err)
		}
		return b, nil
	}
	return &pr, it, random, nil
}

// Entry is one key of a PKCS#12 file with its certificate and the
// certificates of its chain (issuer first, as far as the file has them).
type Entry struct {
	Key  crypto.Signer
	Cert *x509.Certificate // nil when the file has no certificate for Key
	// Chain: the file's certificates that are no entry's own, ordered
	// from Cert's issuer upwards where the names chain; the rest after.
	Chain        []*x509.Certificate
	FriendlyName string
}

type pfx struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, unwrapped by explicit0Inner
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type encryptedData struct {
	Version int
	Content encryptedContentInfo
}

type encryptedContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Algorithm   pkix.AlgorithmIdentifier
	Encrypted   []byte `asn1:"tag:0,optional"`
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     // [0] EXPLICIT, unwrapped by explicit0Inner
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID     asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Encrypted []byte
}

// unmarshal is asn1.Unmarshal that refuses trailing bytes.
func unmarshal(b []byte, v any, what string) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil || len(rest) != 0 {
		return fmt.Errorf("%w: %s", ErrMalformed, what)
	}
	return nil
}

// DecodePKCS12 reads every key of a PKCS#12 file with its certificate, in
// the file's order. The MAC is checked first (ErrPassword when it does not
// match). Keys of a type outside keyTypes make the whole file
// ErrUnsupported rather than vanish from the list.
func DecodePKCS12(data []byte, password string) ([]Entry, error) {
	var p pfx
	if err := unmarshal(data, &p, "PFX"); err != nil {
		return nil, err
	}
	if p.Version != 3 {
		return nil, fmt.Errorf("%w: PFX version %d", ErrMalformed, p.Version)
	}
	if !p.AuthSafe.ContentType.Equal(oidData) {
		return nil, fmt.Errorf("%w: authSafe of type %v (public-key integrity mode)", ErrUnsupported, p.AuthSafe.ContentType)
	}
	var authSafe []byte
	if err := unmarshal(explicit0Inner(p.AuthSafe.Content), &authSafe, "authSafe"); err != nil {
		return nil, err
	}
	pw := secret{text: password}
	if len(p.MacData.Mac.Digest) == 0 {
		// A file without a MAC has no integrity: refused, never read
		// unchecked, but under the empty password, whose MAC would prove
		// nothing either (anyone can compute it), as go-pkcs12 does.
		if password != "" {
			return nil, fmt.Errorf("%w: the file has no MAC", ErrUnsupported)
		}
	} else {
		var err error
		if pw, err = checkMAC(&p.MacData, pw, authSafe); err != nil {
			return nil, err
		}
	}

	var safes []contentInfo
	if err := unmarshal(authSafe, &safes, "AuthenticatedSafe"); err != nil {
		return nil, err
	}
	type keyed struct {
		key  crypto.Signer
		kt   *keyType
		id   []byte
		name string
	}
	type certed struct {
		cert *x509.Certificate
		id   []byte
		used bool
	}
	var keys []keyed
	var certs []*certed
	for _, ci := range safes {
		var contents []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if err := unmarshal(explicit0Inner(ci.Content), &contents, "SafeContents"); err != nil {
				return nil, err
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed encryptedData
			if err := unmarshal(explicit0Inner(ci.Content), &ed, "EncryptedData"); err != nil {
				return nil, err
			}
			if !ed.Content.ContentType.Equal(oidData) {
				return nil, fmt.Errorf("%w: encrypted content of type %v", ErrMalformed, ed.Content.ContentType)
			}
			var err error
			contents, err = pbes2(ed.Content.Algorithm, pw, ed.Content.Encrypted, false)
			if err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: safe of type %v", ErrUnsupported, ci.ContentType)
		}
		var bags []safeBag
		if err := unmarshal(contents, &bags, "SafeBag"); err != nil {
			// The MAC matched, so bytes that do not parse after
			// decryption are a damaged or foreign file.
			return nil, err
		}
		for _, bag := range bags {
			id, name, err := bagAttributes(bag.Attributes)
			if err != nil {
				return nil, err
			}
			switch {
			case bag.ID.Equal(oidShroudedKey), bag.ID.Equal(oidKeyBag):
				der := explicit0Inner(bag.Value)
				if bag.ID.Equal(oidShroudedKey) {
					var epki encryptedPrivateKeyInfo
					if err := unmarshal(der, &epki, "EncryptedPrivateKeyInfo"); err != nil {
						return nil, err
					}
					if der, err = pbes2(epki.Algorithm, pw, epki.Encrypted, false); err != nil {
						return nil, err
					}
				}
				k, kt, err := parsePrivateKey(der)
				if bag.ID.Equal(oidShroudedKey) {
					clear(der)
				}
				if err != nil {
					return nil, err
				}
				keys = append(keys, keyed{key: k, kt: kt, id: id, name: name})
			case bag.ID.Equal(oidCertBag):
				var cb certBag
				if err := unmarshal(explicit0Inner(bag.Value), &cb, "CertBag"); err != nil {
					return nil, err
				}
				if !cb.ID.Equal(oidX509Cert) {
					return nil, fmt.Errorf("%w: certificate type %v", ErrUnsupported, cb.ID)
				}
				c, err := x509.ParseCertificate(cb.Data)
				if err != nil {
					return nil, fmt.Errorf("%w: certificate: %v", ErrMalformed, err)
				}
				certs = append(certs, &certed{cert: c, id: id})
			default:
				// CRL, secret and nested bags carry nothing a key needs.
			}
		}
	}
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	out := make([]Entry, len(keys))
	for i, k := range keys {
		out[i] = Entry{Key: k.key, FriendlyName: k.name}
		// localKeyId first (what OpenSSL pairs by), the public key always:
		// an id naming a foreign certificate is not trusted.
		for pass := 0; pass < 2 && out[i].Cert == nil; pass++ {
			for _, c := range certs {
				if c.used || (pass == 0 && (len(k.id) == 0 || !bytes.Equal(c.id, k.id))) {
					continue
				}
				if matches(k.key, k.kt, c.cert) {
					out[i].Cert, c.used = c.cert, true
					break
				}
			}
		}
	}
	var rest []*x509.Certificate
	for _, c := range certs {
		if !c.used {
			rest = append(rest, c.cert)
		}
	}
	for i := range out {
		out[i].Chain = chainOf(out[i].Cert, rest)
	}
	return out, nil
}

// checkMAC verifies the file's MAC over authSafe (ErrPassword when it does
// not match) and returns the password in the form that matched: the empty
// password is tried bare too (see secret).
func checkMAC(md *macData, pw secret, authSafe []byte) (secret, error) {
	alg := md.Mac.Algorithm
	if alg.Algorithm.Equal(oidPBMAC1) {
		sum, err := pbmac1(alg.Parameters.FullBytes, pw.text, authSafe)
		if err != nil {
			return pw, err
		}
		if !hmac.Equal(sum, md.Mac.Digest) {
			return pw, ErrPassword
		}
		return pw, nil
	}
	m, ok := macFor(alg.Algorithm)
	if !ok {
		return pw, fmt.Errorf("%w: MAC digest %v", ErrUnsupported, alg.Algorithm)
	}
	if md.Iterations < 1 || md.Iterations > m.maxIter {
		return pw, fmt.Errorf("%w: MAC %d", ErrIterations, md.Iterations)
	}
	tries := []secret{pw}
	if pw.text == "" && !m.gost {
		tries = append(tries, secret{bare: true})
	}
	for _, t := range tries {
		sum, err := m.sum(t, md.MacSalt, md.Iterations, authSafe)
		if err != nil {
			return pw, err
		}
		if hmac.Equal(sum, md.Mac.Digest) {
			return t, nil
		}
	}
	return pw, ErrPassword
}

// chainOf orders pool from cert's issuer upwards by names, the others after.
func chainOf(cert *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	taken := make([]bool, len(pool))
	for cur := cert; cur != nil; {
		next := -1
		for i, c := range pool {
			if !taken[i] && bytes.Equal(c.RawSubject, cur.RawIssuer) {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		taken[next] = true
		chain = append(chain, pool[next])
		cur = pool[next]
	}
	for i, c := range pool {
		if !taken[i] {
			chain = append(chain, c)
		}
	}
	return chain
}

func bagAttributes(attrs []pkcs12Attribute) (id []byte, name string, err error) {
	for _, a := range attrs {
		switch {
		case a.ID.Equal(oidLocalKeyID):
			var v []byte
			if err := unmarshal(a.Values.Bytes, &v, "localKeyId"); err != nil {
				return nil, "", err
			}
			id = v
		case a.ID.Equal(oidFriendlyName):
			var v asn1.RawValue
			if err := unmarshal(a.Values.Bytes, &v, "friendlyName"); err != nil {
				return nil, "", err
			}
			if v.Tag != 30 || len(v.Bytes)%2 != 0 { // BMPString
				return nil, "", fmt.Errorf("%w: friendlyName", ErrMalformed)
			}
			u := make([]uint16, len(v.Bytes)/2)
			for i := range u {
				u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
			}
			name = string(utf16.Decode(u))
		}
	}
	return id, name, nil
}

// EncodePKCS12 writes entries (each a key, normally with its certificate
// and chain) as one PKCS#12 file in the layout OpenSSL writes: one
// encrypted safe of certificate bags, one plain safe of shrouded key bags,
// each key and its certificate paired by localKeyId, chain certificates
// once. Every certificate must carry its key's public key.
func EncodePKCS12(entries []Entry, password string, opts *Options) ([]byte, error) {
	if len(entries) == 0 {
		return nil, ErrNoKey
	}
	pr, iterations, random, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	var keyBags, certBags [][]byte
	var seen [][]byte
	addCert := func(c *x509.Certificate, attrs []pkcs12Attribute) error {
		for _, s := range seen {
			if bytes.Equal(s, c.Raw) {
				return nil
			}
		}
		seen = append(seen, c.Raw)
		cb, err := asn1.Marshal(certBag{ID: oidX509Cert, Data: c.Raw})
		if err != nil {
			return err
		}
		b, err := asn1.Marshal(safeBag{ID: oidCertBag, Value: asn1.RawValue{FullBytes: explicit0(cb)}, Attributes: attrs})
		certBags = append(certBags, b)
		return err
	}
	for i, e := range entries {
		der, err := marshalPrivateKey(e.Key)
		if err != nil {
			return nil, err
		}
		var kt *keyType
		if _, kt, err = parsePrivateKey(der); err != nil {
			clear(der)
			return nil, err
		}
		var attrs []pkcs12Attribute
		if e.Cert != nil {
			if !matches(e.Key, kt, e.Cert) {
				clear(der)
				return nil, fmt.Errorf("keyfile: entry %d: the certificate does not carry the key's public key", i)
			}
			// localKeyId = SHA-1 of the certificate, as OpenSSL does.
			id := sha1.Sum(e.Cert.Raw)
			a, err := localKeyIDAttr(id[:])
			if err != nil {
				return nil, err
			}
			attrs = append(attrs, a)
		}
		if e.FriendlyName != "" {
			a, err := friendlyNameAttr(e.FriendlyName)
			if err != nil {
				return nil, err
			}
			attrs = append(attrs, a)
		}
		alg, err := newPBES2(pr, iterations, random)
		if err != nil {
			return nil, err
		}
		enc, err := pbes2(alg, secret{text: password}, der, true)
		clear(der)
		if err != nil {
			return nil, err
		}
		epki, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: alg, Encrypted: enc})
		if err != nil {
			return nil, err
		}
		b, err := asn1.Marshal(safeBag{ID: oidShroudedKey, Value: asn1.RawValue{FullBytes: explicit0(epki)}, Attributes: attrs})
		if err != nil {
			return nil, err
		}
		keyBags = append(keyBags, b)
		if e.Cert != nil {
			if err := addCert(e.Cert, attrs); err != nil {
				return nil, err
			}
		}
	}
	for _, e := range entries {
		for _, c := range e.Chain {
			if c != nil {
				if err := addCert(c, nil); err != nil {
					return nil, err
				}
			}
		}
	}

	var safes []contentInfo
	if len(certBags) > 0 {
		plain := sequence(certBags)
		alg, err := newPBES2(pr, iterations, random)
		if err != nil {
			return nil, err
		}
		enc, err := pbes2(alg, secret{text: password}, plain, true)
		if err != nil {
			return nil, err
		}
		ed, err := asn1.Marshal(encryptedData{Content: encryptedContentInfo{ContentType: oidData, Algorithm: alg, Encrypted: enc}})
		if err != nil {
			return nil, err
		}
		safes = append(safes, contentInfo{ContentType: oidEncryptedData, Content: asn1.RawValue{FullBytes: explicit0(ed)}})
	}
	keysOS, err := asn1.Marshal(sequence(keyBags))
	if err != nil {
		return nil, err
	}
	safes = append(safes, contentInfo{ContentType: oidData, Content: asn1.RawValue{FullBytes: explicit0(keysOS)}})
	authSafe, err := asn1.Marshal(safes)
	if err != nil {
		return nil, err
	}
	salt, err := random(16)
	if err != nil {
		return nil, err
	}
	m, _ := macFor(pr.mac)
	sum, err := m.sum(secret{text: password}, salt, iterations, authSafe)
	if err != nil {
		return nil, err
	}
	authOS, err := asn1.Marshal(authSafe)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pfx{
		Version:  3,
		AuthSafe: contentInfo{ContentType: oidData, Content: asn1.RawValue{FullBytes: explicit0(authOS)}},
		MacData: macData{
			Mac:     digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: pr.mac, Parameters: asn1.NullRawValue}, Digest: sum},
			MacSalt: salt, Iterations: iterations,
		},
	})
}

// sequence is the DER of SEQUENCE OF elems (already DER).
func sequence(elems [][]byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: bytes.Join(elems, nil)})
	return b
}

// explicit0 wraps der in [0] EXPLICIT.
func explicit0(der []byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der})
	return b
}

func localKeyIDAttr(id []byte) (pkcs12Attribute, error) {
	v, err := asn1.Marshal(id)
	return pkcs12Attribute{ID: oidLocalKeyID, Values: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: v}}, err
}

func friendlyNameAttr(name string) (pkcs12Attribute, error) {
	u := utf16.Encode([]rune(name))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c>>8), byte(c)
	}
	v, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: 30, Bytes: b})
	if err != nil {
		return pkcs12Attribute{}, errors.Join(ErrMalformed, err)
	}
	return pkcs12Attribute{ID: oidFriendlyName, Values: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: v}}, nil
}

func marshalEPKI(e encryptedPrivateKeyInfo) ([]byte, error) { return asn1.Marshal(e) }

// explicit0Inner is the content of a [0] EXPLICIT element, nil (which no
// parser accepts) for anything else.
func explicit0Inner(v asn1.RawValue) []byte {
	if v.Class != asn1.ClassContextSpecific || v.Tag != 0 || !v.IsCompound {
		return nil
	}
	return v.Bytes
}
