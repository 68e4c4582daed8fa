//go:build cgo

package signer_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
	"renewal/ca/internal/hsmtest"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

// TC26's vendor values (R 1323565.1.012), written out here so that a slip
// in the package's constants is not mirrored by the fake.
const (
	ckkGOST512    = 0xD4321003
	ckmGen512     = 0xD4321005
	ckmSign512    = 0xD4321006
	fakeSlot      = 7
	fakeTokenName = "gost-token"
	fakePIN       = "1111"
)

var allGOSTMechanisms = []uint{pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN, pkcs11.CKM_GOSTR3410, ckmGen512, ckmSign512}

// fakeToken behaves as a GOST token does to an application: one slot,
// a user PIN, objects with attributes in PKCS#11's encodings, private keys
// it holds and never reveals, refusals as the CKR_ codes a token returns.
type fakeToken struct {
	mu          sync.Mutex
	mechanisms  []uint
	badSig      bool // flip a bit of every signature: a faulty token
	initialised bool
	loggedIn    bool
	sessions    map[pkcs11.SessionHandle]*fakeSession
	objects     map[pkcs11.ObjectHandle]*fakeObject
	next        uint
	signs       int
}

type fakeObject struct {
	attrs map[uint][]byte
	key   *gost3410.PrivateKey // private keys only
}

type fakeSession struct {
	found   []pkcs11.ObjectHandle
	finding bool
	signer  *fakeObject
	mech    uint
}

func newFakeToken(mechanisms ...uint) *fakeToken {
	return &fakeToken{mechanisms: mechanisms, sessions: map[pkcs11.SessionHandle]*fakeSession{}, objects: map[pkcs11.ObjectHandle]*fakeObject{}}
}

// use makes the package load tok for the module path it returns.
func (tok *fakeToken) use(t *testing.T) signer.PKCS11Config {
	t.Helper()
	path := "fake:" + t.Name()
	restore := signer.SetModuleLoader(func(p string) (signer.P11, error) {
		if p != path {
			return nil, errors.New("fake: no such module " + p)
		}
		return tok, nil
	})
	t.Cleanup(restore)
	return signer.PKCS11Config{Module: path, TokenLabel: fakeTokenName, PIN: fakePIN, KeyLabel: "ca-gost"}
}

func ckErr(rv uint) error { return pkcs11.Error(rv) }

func (tok *fakeToken) has(mech uint) bool {
	for _, m := range tok.mechanisms {
		if m == mech {
			return true
		}
	}
	return false
}

func (tok *fakeToken) session(sh pkcs11.SessionHandle) (*fakeSession, error) {
	if !tok.initialised {
		return nil, ckErr(pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED)
	}
	s := tok.sessions[sh]
	if s == nil {
		return nil, ckErr(pkcs11.CKR_SESSION_HANDLE_INVALID)
	}
	return s, nil
}

func (tok *fakeToken) Initialize(...pkcs11.InitializeOption) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if tok.initialised {
		return ckErr(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)
	}
	tok.initialised = true
	return nil
}

func (tok *fakeToken) Finalize() error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if !tok.initialised {
		return ckErr(pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED)
	}
	tok.initialised, tok.loggedIn = false, false
	tok.sessions = map[pkcs11.SessionHandle]*fakeSession{}
	return nil
}

func (tok *fakeToken) Destroy() {}

func (tok *fakeToken) GetSlotList(bool) ([]uint, error) {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if !tok.initialised {
		return nil, ckErr(pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED)
	}
	return []uint{fakeSlot}, nil
}

func (tok *fakeToken) GetTokenInfo(slot uint) (pkcs11.TokenInfo, error) {
	if slot != fakeSlot {
		return pkcs11.TokenInfo{}, ckErr(pkcs11.CKR_SLOT_ID_INVALID)
	}
	return pkcs11.TokenInfo{Label: fakeTokenName}, nil
}

func (tok *fakeToken) GetMechanismList(slot uint) ([]*pkcs11.Mechanism, error) {
	if slot != fakeSlot {
		return nil, ckErr(pkcs11.CKR_SLOT_ID_INVALID)
	}
	var out []*pkcs11.Mechanism
	for _, m := range tok.mechanisms {
		out = append(out, pkcs11.NewMechanism(m, nil))
	}
	// What every token has, so the list is not only the GOST ones.
	return append(out, pkcs11.NewMechanism(pkcs11.CKM_SHA256, nil)), nil
}

func (tok *fakeToken) OpenSession(slot uint, flags uint) (pkcs11.SessionHandle, error) {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	switch {
	case !tok.initialised:
		return 0, ckErr(pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED)
	case slot != fakeSlot:
		return 0, ckErr(pkcs11.CKR_SLOT_ID_INVALID)
	case flags&pkcs11.CKF_SERIAL_SESSION == 0:
		return 0, ckErr(pkcs11.CKR_SESSION_PARALLEL_NOT_SUPPORTED)
	}
	tok.next++
	sh := pkcs11.SessionHandle(tok.next)
	tok.sessions[sh] = &fakeSession{}
	return sh, nil
}

func (tok *fakeToken) CloseSession(sh pkcs11.SessionHandle) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if _, err := tok.session(sh); err != nil {
		return err
	}
	delete(tok.sessions, sh)
	if len(tok.sessions) == 0 {
		tok.loggedIn = false // the last session closed logs the user out
	}
	return nil
}

func (tok *fakeToken) Login(sh pkcs11.SessionHandle, userType uint, pin string) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if _, err := tok.session(sh); err != nil {
		return err
	}
	switch {
	case userType != pkcs11.CKU_USER:
		return ckErr(pkcs11.CKR_USER_TYPE_INVALID)
	case tok.loggedIn:
		return ckErr(pkcs11.CKR_USER_ALREADY_LOGGED_IN)
	case pin != fakePIN:
		return ckErr(pkcs11.CKR_PIN_INCORRECT)
	}
	tok.loggedIn = true
	return nil
}

func (o *fakeObject) private() bool {
	return o.attrs[pkcs11.CKA_PRIVATE] != nil && o.attrs[pkcs11.CKA_PRIVATE][0] == 1
}

func (tok *fakeToken) FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	s, err := tok.session(sh)
	if err != nil {
		return err
	}
	if s.finding {
		return ckErr(pkcs11.CKR_OPERATION_ACTIVE)
	}
	s.finding, s.found = true, nil
	for h := pkcs11.ObjectHandle(1); h <= pkcs11.ObjectHandle(tok.next); h++ {
		o := tok.objects[h]
		if o == nil || (o.private() && !tok.loggedIn) {
			continue
		}
		match := true
		for _, a := range temp {
			if v, ok := o.attrs[a.Type]; !ok || !bytes.Equal(v, a.Value) {
				match = false
			}
		}
		if match {
			s.found = append(s.found, h)
		}
	}
	return nil
}

func (tok *fakeToken) FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error) {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	s, err := tok.session(sh)
	if err != nil {
		return nil, false, err
	}
	if !s.finding {
		return nil, false, ckErr(pkcs11.CKR_OPERATION_NOT_INITIALIZED)
	}
	n := min(max, len(s.found))
	out := s.found[:n]
	s.found = s.found[n:]
	return out, false, nil
}

func (tok *fakeToken) FindObjectsFinal(sh pkcs11.SessionHandle) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	s, err := tok.session(sh)
	if err != nil {
		return err
	}
	s.finding = false
	return nil
}

func (tok *fakeToken) GetAttributeValue(sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error) {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if _, err := tok.session(sh); err != nil {
		return nil, err
	}
	o := tok.objects[h]
	if o == nil || (o.private() && !tok.loggedIn) {
		return nil, ckErr(pkcs11.CKR_OBJECT_HANDLE_INVALID)
	}
	out := make([]*pkcs11.Attribute, len(a))
	for i, want := range a {
		if o.key != nil && want.Type == pkcs11.CKA_VALUE {
			return nil, ckErr(pkcs11.CKR_ATTRIBUTE_SENSITIVE)
		}
		v, ok := o.attrs[want.Type]
		if !ok {
			return nil, ckErr(pkcs11.CKR_ATTRIBUTE_TYPE_INVALID)
		}
		out[i] = pkcs11.NewAttribute(want.Type, append([]byte(nil), v...))
	}
	return out, nil
}

func attrMap(tmpl []*pkcs11.Attribute) map[uint][]byte {
	m := map[uint][]byte{}
	for _, a := range tmpl {
		m[a.Type] = append([]byte(nil), a.Value...)
	}
	return m
}

func ulongAttr(v uint) []byte { return pkcs11.NewAttribute(0, v).Value }

func (tok *fakeToken) GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, public, private []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if _, err := tok.session(sh); err != nil {
		return 0, 0, err
	}
	if !tok.loggedIn {
		return 0, 0, ckErr(pkcs11.CKR_USER_NOT_LOGGED_IN)
	}
	if len(m) != 1 || !tok.has(m[0].Mechanism) {
		return 0, 0, ckErr(pkcs11.CKR_MECHANISM_INVALID)
	}
	var keyType uint
	var size int
	switch m[0].Mechanism {
	case pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN:
		keyType, size = pkcs11.CKK_GOSTR3410, 32
	case ckmGen512:
		keyType, size = ckkGOST512, 64
	default:
		return 0, 0, ckErr(pkcs11.CKR_MECHANISM_INVALID)
	}
	pubA, privA := attrMap(public), attrMap(private)
	params := pubA[pkcs11.CKA_GOSTR3410_PARAMS]
	if params == nil || pubA[pkcs11.CKA_GOSTR3411_PARAMS] == nil {
		return 0, 0, ckErr(pkcs11.CKR_TEMPLATE_INCOMPLETE)
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params, &oid); err != nil || len(rest) > 0 {
		return 0, 0, ckErr(pkcs11.CKR_ATTRIBUTE_VALUE_INVALID)
	}
	curve, ok := gost3410.CurveByOID(oid)
	if !ok || curve.Size() != size {
		return 0, 0, ckErr(pkcs11.CKR_DOMAIN_PARAMS_INVALID)
	}
	for _, tmpl := range []map[uint][]byte{pubA, privA} {
		if kt, ok := tmpl[pkcs11.CKA_KEY_TYPE]; ok && !bytes.Equal(kt, ulongAttr(keyType)) {
			return 0, 0, ckErr(pkcs11.CKR_TEMPLATE_INCONSISTENT)
		}
	}
	key, err := gost3410.GenerateKey(curve, rand.Reader)
	if err != nil {
		return 0, 0, ckErr(pkcs11.CKR_FUNCTION_FAILED)
	}
	pubH, privH := tok.store(key, pubA, privA, keyType)
	return pubH, privH, nil
}

// store adds a key pair with the attributes a token gives it.
func (tok *fakeToken) store(key *gost3410.PrivateKey, pubA, privA map[uint][]byte, keyType uint) (pubH, privH pkcs11.ObjectHandle) {
	params, _ := asn1.Marshal(key.PublicKey().Curve().OID())
	pubA[pkcs11.CKA_CLASS] = ulongAttr(pkcs11.CKO_PUBLIC_KEY)
	pubA[pkcs11.CKA_KEY_TYPE] = ulongAttr(keyType)
	pubA[pkcs11.CKA_GOSTR3410_PARAMS] = params
	pubA[pkcs11.CKA_VALUE] = key.PublicKey().Bytes() // X‖Y, little-endian
	privA[pkcs11.CKA_CLASS] = ulongAttr(pkcs11.CKO_PRIVATE_KEY)
	privA[pkcs11.CKA_KEY_TYPE] = ulongAttr(keyType)
	privA[pkcs11.CKA_GOSTR3410_PARAMS] = params
	tok.next++
	pubH = pkcs11.ObjectHandle(tok.next)
	tok.objects[pubH] = &fakeObject{attrs: pubA}
	tok.next++
	privH = pkcs11.ObjectHandle(tok.next)
	tok.objects[privH] = &fakeObject{attrs: privA, key: key}
	return pubH, privH
}

// plant puts a key pair on the token as another tool would have made it.
func (tok *fakeToken) plant(t *testing.T, curve *gost3410.Curve, label string, id []byte) *gost3410.PublicKey {
	t.Helper()
	key, err := gost3410.GenerateKey(curve, rand.Reader)
	require.NoError(t, err)
	keyType := uint(pkcs11.CKK_GOSTR3410)
	if curve.Size() == 64 {
		keyType = ckkGOST512
	}
	attrs := func(private bool) map[uint][]byte {
		m := map[uint][]byte{
			pkcs11.CKA_TOKEN:   {1},
			pkcs11.CKA_PRIVATE: {0},
			pkcs11.CKA_LABEL:   []byte(label),
			pkcs11.CKA_ID:      id,
		}
		if private {
			m[pkcs11.CKA_PRIVATE], m[pkcs11.CKA_SIGN], m[pkcs11.CKA_SENSITIVE] = []byte{1}, []byte{1}, []byte{1}
		}
		return m
	}
	tok.mu.Lock()
	defer tok.mu.Unlock()
	tok.store(key, attrs(false), attrs(true), keyType)
	return key.PublicKey()
}

func (tok *fakeToken) DestroyObject(sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if _, err := tok.session(sh); err != nil {
		return err
	}
	if tok.objects[h] == nil {
		return ckErr(pkcs11.CKR_OBJECT_HANDLE_INVALID)
	}
	delete(tok.objects, h)
	return nil
}

func (tok *fakeToken) SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, h pkcs11.ObjectHandle) error {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	s, err := tok.session(sh)
	if err != nil {
		return err
	}
	if !tok.loggedIn {
		return ckErr(pkcs11.CKR_USER_NOT_LOGGED_IN)
	}
	if s.signer != nil {
		return ckErr(pkcs11.CKR_OPERATION_ACTIVE)
	}
	o := tok.objects[h]
	if o == nil {
		return ckErr(pkcs11.CKR_KEY_HANDLE_INVALID)
	}
	if len(m) != 1 || !tok.has(m[0].Mechanism) {
		return ckErr(pkcs11.CKR_MECHANISM_INVALID)
	}
	if o.key == nil || !bytes.Equal(o.attrs[pkcs11.CKA_SIGN], []byte{1}) {
		return ckErr(pkcs11.CKR_KEY_FUNCTION_NOT_PERMITTED)
	}
	want := uint(pkcs11.CKM_GOSTR3410)
	if o.key.PublicKey().Curve().Size() == 64 {
		want = ckmSign512
	}
	if m[0].Mechanism != want {
		return ckErr(pkcs11.CKR_KEY_TYPE_INCONSISTENT)
	}
	s.signer, s.mech = o, m[0].Mechanism
	return nil
}

// Sign signs as CKM_GOSTR3410(_512) does: the digest as given, the
// signature s‖r with each half big-endian.
func (tok *fakeToken) Sign(sh pkcs11.SessionHandle, digest []byte) ([]byte, error) {
	tok.mu.Lock()
	defer tok.mu.Unlock()
	s, err := tok.session(sh)
	if err != nil {
		return nil, err
	}
	o := s.signer
	if o == nil {
		return nil, ckErr(pkcs11.CKR_OPERATION_NOT_INITIALIZED)
	}
	s.signer = nil // C_Sign ends the operation, succeeded or not
	c := o.key.PublicKey().Curve()
	if len(digest) != c.Size() {
		return nil, ckErr(pkcs11.CKR_DATA_LEN_RANGE)
	}
	sig, err := o.key.Sign(rand.Reader, digest, nil)
	if err != nil {
		return nil, ckErr(pkcs11.CKR_FUNCTION_FAILED)
	}
	r, sv, err := gost3410.ParseSignature(c, sig)
	if err != nil {
		return nil, ckErr(pkcs11.CKR_FUNCTION_FAILED)
	}
	out := make([]byte, 2*c.Size())
	sv.FillBytes(out[:c.Size()])
	r.FillBytes(out[c.Size():])
	if tok.badSig {
		out[len(out)-1] ^= 1
	}
	tok.signs++
	return out, nil
}

func caTemplate() *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "GOST HSM test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
}

// TestPKCS11GOST generates a key on the fake token, opens it again and
// signs a certificate that gost3410 and OpenSSL's GOST engine verify.
func TestPKCS11GOST(t *testing.T) {
	ssl := gostssl.New(t)
	for _, alg := range []signer.Algorithm{signer.GOST256, signer.GOST512} {
		t.Run(string(alg), func(t *testing.T) {
			tok := newFakeToken(allGOSTMechanisms...)
			cfg := tok.use(t)
			gen, err := signer.GeneratePKCS11(cfg, alg)
			require.NoError(t, err)
			defer gen.Close()
			pub, ok := gen.Public().(*gost3410.PublicKey)
			require.True(t, ok, "%T", gen.Public())
			want := map[signer.Algorithm]*gost3410.Curve{signer.GOST256: gost3410.Curve256B(), signer.GOST512: gost3410.Curve512A()}[alg]
			assert.Equal(t, want.OID(), pub.Curve().OID())
			assert.Equal(t, 1, tok.signs, "the new pair signs once, verified, before it is handed out")

			// The private key the token made: on the token, sensitive,
			// not extractable, for signing.
			var privs int
			for _, o := range tok.objects {
				if o.key == nil {
					continue
				}
				privs++
				assert.Equal(t, []byte{1}, o.attrs[pkcs11.CKA_TOKEN])
				assert.Equal(t, []byte{1}, o.attrs[pkcs11.CKA_SENSITIVE])
				assert.Equal(t, []byte{0}, o.attrs[pkcs11.CKA_EXTRACTABLE])
				assert.Equal(t, []byte{1}, o.attrs[pkcs11.CKA_PRIVATE])
				assert.Equal(t, []byte(cfg.KeyLabel), o.attrs[pkcs11.CKA_LABEL])
			}
			assert.Equal(t, 1, privs)

			_, err = signer.GeneratePKCS11(cfg, alg)
			require.ErrorContains(t, err, "already exists")

			key, err := signer.OpenPKCS11(cfg)
			require.NoError(t, err)
			defer key.Close()
			require.True(t, pub.Equal(key.Public()))

			h := pub.Curve().NewHash()
			h.Write([]byte("message"))
			digest := h.Sum(nil)
			sig, err := key.Sign(rand.Reader, digest, nil)
			require.NoError(t, err)
			assert.True(t, gost3410.Verify(pub, digest, sig))
			_, err = key.Sign(rand.Reader, digest[1:], nil)
			require.ErrorIs(t, err, gost3410.ErrDigestSize)

			der, err := x509sig.CreateCertificate(rand.Reader, caTemplate(), caTemplate(), key.Public(), key)
			require.NoError(t, err)
			cert, err := x509.ParseCertificate(der)
			require.NoError(t, err)
			require.NoError(t, x509sig.CheckSignatureFrom(cert, cert))
			run := ssl.With(t)
			run.Write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
			out, err := run.Run(nil, "verify", "-CAfile", "ca.pem", "ca.pem")
			require.NoError(t, err, "openssl verify:\n%s", out)
			require.Contains(t, string(out), "ca.pem: OK")
		})
	}
}

// Keys made by other tools are found by label or by id alone, on the
// parameter set their CKA_GOSTR3410_PARAMS names.
func TestPKCS11GOSTOpenExisting(t *testing.T) {
	tests := []struct {
		name  string
		curve *gost3410.Curve
		label string
		id    []byte
	}{
		{"ok/by-label-256-cryptopro-a", gost3410.CryptoProA(), "ca-gost", nil},
		{"ok/by-id-512-c", gost3410.Curve512C(), "", []byte{1, 2, 3}},
		{"ok/by-label-and-id-256-a", gost3410.Curve256A(), "ca-gost", []byte{9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := newFakeToken(allGOSTMechanisms...)
			cfg := tok.use(t)
			cfg.KeyLabel, cfg.KeyID = tt.label, tt.id
			tok.plant(t, gost3410.Curve256B(), "other", []byte{42}) // not chosen
			pub := tok.plant(t, tt.curve, "ca-gost", append([]byte{}, tt.id...))
			key, err := signer.OpenPKCS11(cfg)
			require.NoError(t, err)
			defer key.Close()
			require.True(t, pub.Equal(key.Public()))
			digest := make([]byte, tt.curve.Size())
			digest[0] = 5
			sig, err := key.Sign(nil, digest, nil)
			require.NoError(t, err)
			require.True(t, gost3410.Verify(pub, digest, sig))
		})
	}
}

func TestPKCS11GOSTRefusals(t *testing.T) {
	t.Run("fail/wrong-pin", func(t *testing.T) {
		tok := newFakeToken(allGOSTMechanisms...)
		cfg := tok.use(t)
		tok.plant(t, gost3410.Curve256B(), cfg.KeyLabel, nil)
		cfg.PIN = "0000"
		_, err := signer.OpenPKCS11(cfg)
		require.ErrorIs(t, err, pkcs11.Error(pkcs11.CKR_PIN_INCORRECT))
		_, err = signer.GeneratePKCS11(cfg, signer.GOST512)
		require.ErrorIs(t, err, pkcs11.Error(pkcs11.CKR_PIN_INCORRECT))
		require.False(t, tok.initialised, "the module is finalised after a refusal")
	})
	t.Run("fail/no-generation-mechanism", func(t *testing.T) {
		tok := newFakeToken(pkcs11.CKM_GOSTR3410, ckmSign512)
		cfg := tok.use(t)
		_, err := signer.GeneratePKCS11(cfg, signer.GOST256)
		require.ErrorIs(t, err, signer.ErrPKCS11Mechanism)
		require.ErrorContains(t, err, "CKM_GOSTR3410_KEY_PAIR_GEN (0x1200)")
		_, err = signer.GeneratePKCS11(cfg, signer.GOST512)
		require.ErrorContains(t, err, "CKM_GOSTR3410_512_KEY_PAIR_GEN (0xD4321005)")
		require.NotContains(t, err.Error(), "CKM_GOSTR3410_512 (")
		require.Empty(t, tok.objects)
	})
	t.Run("fail/no-sign-mechanism", func(t *testing.T) {
		tok := newFakeToken(pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN, pkcs11.CKM_GOSTR3410)
		cfg := tok.use(t)
		tok.plant(t, gost3410.Curve512A(), cfg.KeyLabel, nil)
		_, err := signer.OpenPKCS11(cfg)
		require.ErrorIs(t, err, signer.ErrPKCS11Mechanism)
		require.ErrorContains(t, err, "CKM_GOSTR3410_512 (0xD4321006)")
	})
	t.Run("fail/bad-signature", func(t *testing.T) {
		tok := newFakeToken(allGOSTMechanisms...)
		cfg := tok.use(t)
		pub := tok.plant(t, gost3410.Curve256B(), cfg.KeyLabel, nil)
		key, err := signer.OpenPKCS11(cfg)
		require.NoError(t, err)
		defer key.Close()
		digest := make([]byte, 32)
		sig, err := key.Sign(nil, digest, nil)
		require.NoError(t, err)
		require.True(t, gost3410.Verify(pub, digest, sig))
		tok.badSig = true
		sig, err = key.Sign(nil, digest, nil)
		require.ErrorIs(t, err, signer.ErrPKCS11BadSignature)
		require.Nil(t, sig)
		_, err = x509sig.CreateCertificate(rand.Reader, caTemplate(), caTemplate(), key.Public(), key)
		require.ErrorIs(t, err, signer.ErrPKCS11BadSignature)
	})
	t.Run("fail/bad-signature-at-generation", func(t *testing.T) {
		tok := newFakeToken(allGOSTMechanisms...)
		tok.badSig = true
		cfg := tok.use(t)
		_, err := signer.GeneratePKCS11(cfg, signer.GOST512)
		require.ErrorIs(t, err, signer.ErrPKCS11BadSignature)
		require.Empty(t, tok.objects, "a pair that does not sign right is destroyed")
	})
	t.Run("fail/two-keys-one-label", func(t *testing.T) {
		tok := newFakeToken(allGOSTMechanisms...)
		cfg := tok.use(t)
		tok.plant(t, gost3410.Curve256B(), cfg.KeyLabel, []byte{1})
		tok.plant(t, gost3410.Curve256B(), cfg.KeyLabel, []byte{2})
		_, err := signer.OpenPKCS11(cfg)
		require.ErrorContains(t, err, "2 keys match")
		cfg.KeyID = []byte{2}
		k, err := signer.OpenPKCS11(cfg)
		require.NoError(t, err)
		k.Close()
	})
	t.Run("fail/key-type-not-the-parameter-set-size", func(t *testing.T) {
		tok := newFakeToken(allGOSTMechanisms...)
		cfg := tok.use(t)
		tok.plant(t, gost3410.Curve512A(), cfg.KeyLabel, nil)
		for _, o := range tok.objects {
			o.attrs[pkcs11.CKA_KEY_TYPE] = ulongAttr(pkcs11.CKK_GOSTR3410)
		}
		_, err := signer.OpenPKCS11(cfg)
		require.ErrorContains(t, err, "does not fit a 512-bit parameter set")
	})
	t.Run("fail/private-and-public-parameter-sets-differ", func(t *testing.T) {
		tok := newFakeToken(allGOSTMechanisms...)
		cfg := tok.use(t)
		tok.plant(t, gost3410.Curve256B(), cfg.KeyLabel, nil)
		for _, o := range tok.objects {
			if o.key != nil {
				o.attrs[pkcs11.CKA_GOSTR3410_PARAMS], _ = asn1.Marshal(gost3410.CryptoProA().OID())
			}
		}
		_, err := signer.OpenPKCS11(cfg)
		require.ErrorContains(t, err, "different parameter sets")
	})
	// Public key attributes a token must not return.
	for _, tt := range []struct {
		name   string
		attr   uint
		mangle func([]byte) []byte
		want   string
	}{
		{"fail/value-big-endian", pkcs11.CKA_VALUE, reverseHalves, "CKA_VALUE"},
		{"fail/value-short", pkcs11.CKA_VALUE, func(b []byte) []byte { return b[1:] }, "CKA_VALUE"},
		{"fail/value-der-wrapped", pkcs11.CKA_VALUE, func(b []byte) []byte { return append([]byte{0x04, 0x40}, b...) }, "CKA_VALUE"},
		{"fail/params-unknown-oid", pkcs11.CKA_GOSTR3410_PARAMS, func([]byte) []byte { d, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 643, 9}); return d }, "parameter set"},
		{"fail/params-not-der", pkcs11.CKA_GOSTR3410_PARAMS, func(b []byte) []byte { return b[2:] }, "not a DER object identifier"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok := newFakeToken(allGOSTMechanisms...)
			cfg := tok.use(t)
			tok.plant(t, gost3410.Curve256B(), cfg.KeyLabel, nil)
			for _, o := range tok.objects {
				if o.key == nil {
					o.attrs[tt.attr] = tt.mangle(o.attrs[tt.attr])
				}
			}
			k, err := signer.OpenPKCS11(cfg)
			require.Nil(t, k)
			require.ErrorContains(t, err, tt.want)
			require.False(t, tok.initialised)
		})
	}
}

// reverseHalves writes X‖Y big-endian: a token that got the order wrong
// gives a point off the curve, which must be refused, not used.
func reverseHalves(b []byte) []byte {
	out := append([]byte(nil), b...)
	n := len(out) / 2
	for _, half := range [][]byte{out[:n], out[n:]} {
		for i, j := 0, len(half)-1; i < j; i, j = i+1, j-1 {
			half[i], half[j] = half[j], half[i]
		}
	}
	return out
}

// SoftHSM2 has no GOST 2012: the real module is asked and the refusal names
// the mechanisms it lacks, and no key is left behind.
func TestPKCS11GOSTSoftHSMRefuses(t *testing.T) {
	cfg := hsmtest.Config(t)
	for alg, mech := range map[signer.Algorithm]string{signer.GOST256: "CKM_GOSTR3410_KEY_PAIR_GEN", signer.GOST512: "CKM_GOSTR3410_512_KEY_PAIR_GEN"} {
		k, err := signer.GeneratePKCS11(cfg, alg)
		require.Nil(t, k)
		require.ErrorIs(t, err, signer.ErrPKCS11Mechanism)
		require.True(t, strings.Contains(err.Error(), mech), "%v", err)
		require.Contains(t, err.Error(), `token "ca-test" lacks`)
	}
	// The module was finalised again: crypto11 opens it, and finds no key.
	_, err := signer.OpenPKCS11(cfg)
	require.ErrorContains(t, err, "no key")
	gen, err := signer.GeneratePKCS11(cfg, signer.ECDSAP256)
	require.NoError(t, err)
	gen.Close()
}
