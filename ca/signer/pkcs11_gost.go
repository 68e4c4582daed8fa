//go:build cgo

package signer

import (
	"crypto"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"renewal/ca/crypto/gost3410"
)

// GOST R 34.10-2012 on a token, through the raw PKCS#11 API: crypto11 has
// no GOST. The 256-bit key type and mechanisms are PKCS#11 v2.40's "GOST R
// 34.10-2001" ones (the same signature on a 256-bit curve); the 512-bit ones
// are TC26's vendor extension (R 1323565.1.012, NSSCK_VENDOR_PKCS11_RU_TEAM
// = CKK_VENDOR_DEFINED|0x54321000), absent from miekg/pkcs11.
//
// Encodings (PKCS#11 v2.40 §2.54, the same in TC26's extension for 512):
//   - CKA_VALUE of the public key: X‖Y, each little-endian (64 or 128
//     bytes), what gost3410.ParsePublicKey reads;
//   - CKA_GOSTR3410_PARAMS: the DER OID of the parameter set;
//   - CKM_GOSTR3410(_512) signs the digest as CKM_GOSTR3411_12_* outputs it
//     (the Streebog bytes, read by the token as a little-endian number) and
//     returns s‖r, each big-endian: gost3410's format, so nothing is
//     converted, and every signature is verified before it leaves Sign.
const (
	ckkGOSTR3410_512           = 0xD4321003
	ckmGOSTR3410_512KeyPairGen = 0xD4321005
	ckmGOSTR3410_512           = 0xD4321006
)

// p11 is the part of *pkcs11.Ctx the GOST key uses; tests put a fake
// token behind it.
type p11 interface {
	Initialize(opts ...pkcs11.InitializeOption) error
	Finalize() error
	Destroy()
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetTokenInfo(slotID uint) (pkcs11.TokenInfo, error)
	GetMechanismList(slotID uint) ([]*pkcs11.Mechanism, error)
	OpenSession(slotID uint, flags uint) (pkcs11.SessionHandle, error)
	CloseSession(sh pkcs11.SessionHandle) error
	Login(sh pkcs11.SessionHandle, userType uint, pin string) error
	FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error
	FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error)
	FindObjectsFinal(sh pkcs11.SessionHandle) error
	GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error)
	GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, public, private []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error)
	DestroyObject(sh pkcs11.SessionHandle, oh pkcs11.ObjectHandle) error
	SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error
	Sign(sh pkcs11.SessionHandle, message []byte) ([]byte, error)
}

// loadModule loads a PKCS#11 library; a variable for the tests' fake.
var loadModule = func(path string) (p11, error) {
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("signer: cannot load PKCS#11 module %s", path)
	}
	return ctx, nil
}

// A module is initialised once per process, so GOST keys share it by path.
// When crypto11 initialised it first we use it without finalising it; when
// we did, crypto11 cannot open the same module until our keys are closed
// (C_Initialize says CKR_CRYPTOKI_ALREADY_INITIALIZED): the authority holds
// one issuing key, so that does not arise.
type module struct {
	ctx  p11
	refs int
	ours bool // we called C_Initialize, so C_Finalize is ours too
}

var (
	modulesMu sync.Mutex
	modules   = map[string]*module{}
)

func acquireModule(path string) (*module, error) {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m := modules[path]; m != nil {
		m.refs++
		return m, nil
	}
	ctx, err := loadModule(path)
	if err != nil {
		return nil, err
	}
	m := &module{ctx: ctx, refs: 1, ours: true}
	if err := ctx.Initialize(); errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		m.ours = false
	} else if err != nil {
		ctx.Destroy()
		return nil, fmt.Errorf("signer: initialise PKCS#11 module %s: %w", path, err)
	}
	modules[path] = m
	return m, nil
}

func releaseModule(path string, m *module) {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if m.refs--; m.refs > 0 {
		return
	}
	if m.ours {
		m.ctx.Finalize()
	}
	m.ctx.Destroy()
	delete(modules, path)
}

// gostSuite is what a GOST key of one size needs from the token.
type gostSuite struct {
	keyType, gen, sign uint
	genName, signName  string
}

func suiteForSize(size int) gostSuite {
	if size == 64 {
		return gostSuite{ckkGOSTR3410_512, ckmGOSTR3410_512KeyPairGen, ckmGOSTR3410_512, "CKM_GOSTR3410_512_KEY_PAIR_GEN (0xD4321005)", "CKM_GOSTR3410_512 (0xD4321006)"}
	}
	return gostSuite{pkcs11.CKK_GOSTR3410, pkcs11.CKM_GOSTR3410_KEY_PAIR_GEN, pkcs11.CKM_GOSTR3410, "CKM_GOSTR3410_KEY_PAIR_GEN (0x1200)", "CKM_GOSTR3410 (0x1201)"}
}

// gostSession is a logged-in session on the configured token.
type gostSession struct {
	c    PKCS11Config
	mod  *module
	ctx  p11
	slot uint
	sh   pkcs11.SessionHandle
}

func openGOSTSession(c PKCS11Config) (*gostSession, error) {
	m, err := acquireModule(c.Module)
	if err != nil {
		return nil, err
	}
	s := &gostSession{c: c, mod: m, ctx: m.ctx}
	slots, err := s.ctx.GetSlotList(true)
	if err != nil {
		releaseModule(c.Module, m)
		return nil, fmt.Errorf("signer: list PKCS#11 slots: %w", err)
	}
	found := false
	for _, id := range slots {
		if ti, err := s.ctx.GetTokenInfo(id); err == nil && ti.Label == c.TokenLabel {
			s.slot, found = id, true
			break
		}
	}
	if !found {
		releaseModule(c.Module, m)
		return nil, fmt.Errorf("signer: open PKCS#11 token %q: no such token", c.TokenLabel)
	}
	if s.sh, err = s.ctx.OpenSession(s.slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION); err != nil {
		releaseModule(c.Module, m)
		return nil, fmt.Errorf("signer: open session on token %q: %w", c.TokenLabel, err)
	}
	// The login belongs to the application, not the session: crypto11 or
	// another key of ours may have logged in already.
	if err := s.ctx.Login(s.sh, pkcs11.CKU_USER, c.PIN); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_USER_ALREADY_LOGGED_IN)) {
		s.close()
		return nil, fmt.Errorf("signer: log in to token %q: %w", c.TokenLabel, err)
	}
	return s, nil
}

// close ends the session; the token logs out when the application's last
// session on it closes, and the module is finalised with the last key.
func (s *gostSession) close() {
	s.ctx.CloseSession(s.sh)
	releaseModule(s.c.Module, s.mod)
}

// require names every mechanism in want that the token does not list.
func (s *gostSession) require(want map[uint]string) error {
	list, err := s.ctx.GetMechanismList(s.slot)
	if err != nil {
		return fmt.Errorf("signer: list mechanisms of token %q: %w", s.c.TokenLabel, err)
	}
	have := map[uint]bool{}
	for _, m := range list {
		have[m.Mechanism] = true
	}
	var missing []string
	for mech, name := range want {
		if !have[mech] {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return fmt.Errorf("%w: token %q lacks %s", ErrPKCS11Mechanism, s.c.TokenLabel, strings.Join(missing, ", "))
}

func (s *gostSession) find(tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := s.ctx.FindObjectsInit(s.sh, tmpl); err != nil {
		return nil, err
	}
	defer s.ctx.FindObjectsFinal(s.sh)
	var all []pkcs11.ObjectHandle
	for {
		hs, _, err := s.ctx.FindObjects(s.sh, 16)
		if err != nil {
			return nil, err
		}
		if len(hs) == 0 {
			return all, nil
		}
		all = append(all, hs...)
	}
}

// selector is the key's label and id as a template.
func (c PKCS11Config) selector(class uint) []*pkcs11.Attribute {
	t := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if c.KeyLabel != "" {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_LABEL, c.KeyLabel))
	}
	if len(c.KeyID) > 0 {
		t = append(t, pkcs11.NewAttribute(pkcs11.CKA_ID, c.KeyID))
	}
	return t
}

func (s *gostSession) attrs(o pkcs11.ObjectHandle, types ...uint) ([][]byte, error) {
	req := make([]*pkcs11.Attribute, len(types))
	for i, t := range types {
		req[i] = pkcs11.NewAttribute(t, nil)
	}
	got, err := s.ctx.GetAttributeValue(s.sh, o, req)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(types))
	for _, a := range got {
		for i, t := range types {
			if a.Type == t {
				out[i] = a.Value
			}
		}
	}
	return out, nil
}

// ulong reads a CK_ULONG attribute (native byte order, as miekg/pkcs11
// writes them).
func ulong(b []byte) (uint, bool) {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b)), true
	case 4:
		return uint(binary.NativeEndian.Uint32(b)), true
	}
	return 0, false
}

func isGOSTKeyType(t uint) bool { return t == pkcs11.CKK_GOSTR3410 || t == ckkGOSTR3410_512 }

// gostKey is a GOST R 34.10-2012 private key on a token.
type gostKey struct {
	mu   sync.Mutex // a PKCS#11 session runs one operation at a time
	s    *gostSession
	priv pkcs11.ObjectHandle
	pub  *gost3410.PublicKey
	mech uint
}

// loadGOSTKey reads the public half of the private key priv (the public
// key object with the same CKA_ID, or the same label when the key has no
// id) and checks the token can sign with it.
func (s *gostSession) loadGOSTKey(priv pkcs11.ObjectHandle) (*gostKey, error) {
	v, err := s.attrs(priv, pkcs11.CKA_KEY_TYPE, pkcs11.CKA_ID, pkcs11.CKA_LABEL, pkcs11.CKA_GOSTR3410_PARAMS)
	if err != nil {
		return nil, fmt.Errorf("signer: read private key attributes: %w", err)
	}
	keyType, _ := ulong(v[0])
	tmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
	}
	if len(v[1]) > 0 {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, v[1]))
	} else {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, v[2]))
	}
	pubs, err := s.find(tmpl)
	if err != nil {
		return nil, fmt.Errorf("signer: find public key: %w", err)
	}
	if len(pubs) != 1 {
		return nil, fmt.Errorf("signer: %d public keys match GOST key %q (id %x) on token %q, want 1", len(pubs), v[2], v[1], s.c.TokenLabel)
	}
	pv, err := s.attrs(pubs[0], pkcs11.CKA_VALUE, pkcs11.CKA_GOSTR3410_PARAMS)
	if err != nil {
		return nil, fmt.Errorf("signer: read public key attributes: %w", err)
	}
	curve, err := curveFromParams(pv[1])
	if err != nil {
		return nil, err
	}
	// The private key's parameter set, when the token tells it, must be
	// the public key's: otherwise the pair is not a pair.
	if len(v[3]) > 0 && string(v[3]) != string(pv[1]) {
		return nil, errors.New("signer: the GOST private and public keys on the token name different parameter sets")
	}
	suite := suiteForSize(curve.Size())
	if keyType != suite.keyType {
		return nil, fmt.Errorf("signer: GOST key type %#x does not fit a %d-bit parameter set", keyType, 8*curve.Size())
	}
	pub, err := gost3410.ParsePublicKey(curve, pv[0])
	if err != nil {
		return nil, fmt.Errorf("signer: GOST public key on the token (CKA_VALUE, X‖Y little-endian): %w", err)
	}
	if err := s.require(map[uint]string{suite.sign: suite.signName}); err != nil {
		return nil, err
	}
	return &gostKey{s: s, priv: priv, pub: pub, mech: suite.sign}, nil
}

func curveFromParams(der []byte) (*gost3410.Curve, error) {
	var oid asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(der, &oid)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("signer: CKA_GOSTR3410_PARAMS is not a DER object identifier: %x", der)
	}
	c, ok := gost3410.CurveByOID(oid)
	if !ok {
		return nil, fmt.Errorf("signer: GOST parameter set %s on the token: %w", oid, gost3410.ErrUnknownParamSet)
	}
	return c, nil
}

// Sign signs a Streebog digest of the key's size on the token and returns
// the signature only once gost3410 has verified it. rand is unused: the
// token draws its own nonce.
func (k *gostKey) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, gost3410.ErrHashFunc
	}
	if len(digest) != k.pub.Curve().Size() {
		return nil, gost3410.ErrDigestSize
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.s.ctx.SignInit(k.s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(k.mech, nil)}, k.priv); err != nil {
		return nil, fmt.Errorf("signer: GOST sign on token %q: %w", k.s.c.TokenLabel, err)
	}
	sig, err := k.s.ctx.Sign(k.s.sh, digest)
	if err != nil {
		return nil, fmt.Errorf("signer: GOST sign on token %q: %w", k.s.c.TokenLabel, err)
	}
	if !gost3410.Verify(k.pub, digest, sig) {
		return nil, ErrPKCS11BadSignature
	}
	return sig, nil
}

// openGOST opens the GOST key the configuration names; (nil, nil) when
// the token holds no GOST private key with that label or id, so the
// caller tries crypto11.
func openGOST(c PKCS11Config) (*PKCS11Key, error) {
	s, err := openGOSTSession(c)
	if err != nil {
		return nil, err
	}
	privs, err := s.find(c.selector(pkcs11.CKO_PRIVATE_KEY))
	if err != nil {
		s.close()
		return nil, fmt.Errorf("signer: find key %q on token %q: %w", c.KeyLabel, c.TokenLabel, err)
	}
	var gost []pkcs11.ObjectHandle
	for _, h := range privs {
		v, err := s.attrs(h, pkcs11.CKA_KEY_TYPE)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("signer: read key type: %w", err)
		}
		if t, ok := ulong(v[0]); ok && isGOSTKeyType(t) {
			gost = append(gost, h)
		}
	}
	switch {
	case len(gost) == 0:
		s.close()
		return nil, nil
	case len(privs) > 1:
		s.close()
		return nil, fmt.Errorf("signer: %d keys match %q (id %x) on token %q: name one by id", len(privs), c.KeyLabel, c.KeyID, c.TokenLabel)
	}
	k, err := s.loadGOSTKey(gost[0])
	if err != nil {
		s.close()
		return nil, err
	}
	return &PKCS11Key{gost: k}, nil
}

// generateGOST makes a GOST key pair inside the token: the private key
// sensitive, not extractable, kept on the token. The new pair signs once,
// verified, before it is returned; a pair that fails is destroyed.
func generateGOST(c PKCS11Config, alg Algorithm) (*PKCS11Key, error) {
	curve := alg.gostCurve()
	suite := suiteForSize(curve.Size())
	s, err := openGOSTSession(c)
	if err != nil {
		return nil, err
	}
	if err := s.require(map[uint]string{suite.gen: suite.genName, suite.sign: suite.signName}); err != nil {
		s.close()
		return nil, err
	}
	for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
		if existing, err := s.find(c.selector(class)); err != nil {
			s.close()
			return nil, fmt.Errorf("signer: look for key %q: %w", c.KeyLabel, err)
		} else if len(existing) > 0 {
			s.close()
			return nil, fmt.Errorf("signer: a key %q (id %x) already exists on token %q", c.KeyLabel, c.KeyID, c.TokenLabel)
		}
	}
	id := c.KeyID
	if len(id) == 0 {
		if id, err = randomID(); err != nil {
			s.close()
			return nil, err
		}
	}
	params, err := asn1.Marshal(curve.OID())
	if err != nil {
		s.close()
		return nil, err
	}
	// CKA_GOSTR3411_PARAMS: the Streebog of the key's size; tokens of the
	// TC26 profile want it for 2012 keys.
	digest, err := asn1.Marshal(curve.DigestAlgorithm())
	if err != nil {
		s.close()
		return nil, err
	}
	common := func(class uint) []*pkcs11.Attribute {
		return []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
			pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, suite.keyType),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, c.KeyLabel),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
			pkcs11.NewAttribute(pkcs11.CKA_GOSTR3410_PARAMS, params),
			pkcs11.NewAttribute(pkcs11.CKA_GOSTR3411_PARAMS, digest),
		}
	}
	pubT := append(common(pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true))
	privT := append(common(pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true))
	pubH, privH, err := s.ctx.GenerateKeyPair(s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(suite.gen, nil)}, pubT, privT)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("signer: generate GOST key on token %q: %w", c.TokenLabel, err)
	}
	fail := func(err error) (*PKCS11Key, error) {
		s.ctx.DestroyObject(s.sh, privH)
		s.ctx.DestroyObject(s.sh, pubH)
		s.close()
		return nil, err
	}
	k, err := s.loadGOSTKey(privH)
	if err != nil {
		return fail(err)
	}
	if !k.pub.Curve().OID().Equal(curve.OID()) {
		return fail(fmt.Errorf("signer: the token made a key on %s, asked for %s", k.pub.Curve().OID(), curve.OID()))
	}
	h := curve.NewHash()
	h.Write([]byte("renewal: a new GOST issuing key signs once before use"))
	if _, err := k.Sign(nil, h.Sum(nil), nil); err != nil {
		return fail(fmt.Errorf("signer: the new GOST key on token %q: %w", c.TokenLabel, err))
	}
	return &PKCS11Key{gost: k}, nil
}
