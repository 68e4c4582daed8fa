//go:build js

package browsercrypto

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"syscall/js"
	"time"

	"renewal/app/jspromise"
	"renewal/ca/cms"
	"renewal/ca/keyfile"
)

// signTimeout bounds one WebCrypto signature (Signer methods take no
// context). WebCrypto answers in milliseconds; this only keeps a broken
// browser from hanging the wizard for ever.
const signTimeout = time.Minute

// webKey is a WebCrypto key pair used as a Signer.
type webKey struct {
	priv, pub   js.Value // CryptoKey objects
	public      crypto.PublicKey
	alg         KeyAlgorithm
	extractable bool
}

var _ Signer = (*webKey)(nil)

func (k *webKey) Public() crypto.PublicKey { return k.public }

// Sign refuses: WebCrypto hashes the message itself and cannot sign a digest.
func (k *webKey) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrDigestSigning
}

// SignMessage signs msg with SHA-256 in WebCrypto. ECDSA's r||s result is
// converted to ASN.1 DER. rand is ignored. It blocks until WebCrypto
// answers: never call it inside a js.FuncOf callback.
func (k *webKey) SignMessage(_ io.Reader, msg []byte, opts crypto.SignerOpts) (sig []byte, err error) {
	defer catch(&err)
	if opts == nil || opts.HashFunc() != crypto.SHA256 {
		return nil, errors.New("browsercrypto: only SHA-256 signatures are supported")
	}
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return nil, errors.New("browsercrypto: RSA-PSS is not supported (the key is for PKCS#1 v1.5)")
	}
	sc, err := subtle()
	if err != nil {
		return nil, err
	}
	params := js.Global().Get("Object").New()
	switch k.public.(type) {
	case *ecdsa.PublicKey:
		params.Set("name", "ECDSA")
		params.Set("hash", "SHA-256")
	case *rsa.PublicKey:
		params.Set("name", "RSASSA-PKCS1-v1_5")
	default:
		return nil, ErrUnsupportedKey
	}
	ctx, cancel := context.WithTimeout(context.Background(), signTimeout)
	defer cancel()
	res, err := await(ctx, sc.Call("sign", params, k.priv, bytesToJS(msg)))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: sign: %w", err)
	}
	sig = bufferBytes(res)
	if _, ok := k.public.(*ecdsa.PublicKey); ok {
		return cms.P1363ToDER(sig)
	}
	return sig, nil
}

// GenerateKey makes a new key pair in WebCrypto: ECDSA P-256 (alg "" or
// AlgECDSAP256) or RSA-2048 (RSASSA-PKCS1-v1_5, SHA-256, exponent 65537).
// extractable is false for a key kept in this browser (StoreKey), true for
// one that ExportPKCS12 will write to a file. The public key is always
// exportable (WebCrypto makes it so); Public() parses its SPKI.
func GenerateKey(ctx context.Context, alg KeyAlgorithm, extractable bool) (_ Signer, err error) {
	defer catch(&err)
	sc, err := subtle()
	if err != nil {
		return nil, err
	}
	params := js.Global().Get("Object").New()
	switch alg {
	case "", AlgECDSAP256:
		params.Set("name", "ECDSA")
		params.Set("namedCurve", "P-256")
	case AlgRSA2048:
		params.Set("name", "RSASSA-PKCS1-v1_5")
		params.Set("modulusLength", 2048)
		params.Set("publicExponent", bytesToJS([]byte{1, 0, 1}))
		params.Set("hash", "SHA-256")
	default:
		return nil, fmt.Errorf("browsercrypto: cannot generate %q keys (want %s or %s)", alg, AlgECDSAP256, AlgRSA2048)
	}
	pair, err := await(ctx, sc.Call("generateKey", params, extractable, usages("sign", "verify")))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: generate key: %w", err)
	}
	return newWebKey(ctx, pair.Get("privateKey"), pair.Get("publicKey"))
}

// newWebKey wraps two CryptoKeys, reading the public key from its SPKI and
// checking that the private key is one this package can sign with.
func newWebKey(ctx context.Context, priv, pub js.Value) (*webKey, error) {
	sc, err := subtle()
	if err != nil {
		return nil, err
	}
	if !priv.Truthy() || !pub.Truthy() {
		return nil, errors.New("browsercrypto: missing private or public CryptoKey")
	}
	spki, err := await(ctx, sc.Call("exportKey", "spki", pub))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: export public key: %w", err)
	}
	public, err := x509.ParsePKIXPublicKey(bufferBytes(spki))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: public key: %w", err)
	}
	alg, err := AlgorithmOf(public)
	if err != nil {
		return nil, err
	}
	a := priv.Get("algorithm")
	name := a.Get("name").String()
	switch public.(type) {
	case *ecdsa.PublicKey:
		if name != "ECDSA" {
			return nil, fmt.Errorf("%w: private key is %s, public key ECDSA", ErrKeyMismatch, name)
		}
	case *rsa.PublicKey:
		if name != "RSASSA-PKCS1-v1_5" || a.Get("hash").Get("name").String() != "SHA-256" {
			return nil, fmt.Errorf("%w: RSA key for %s, want RSASSA-PKCS1-v1_5 with SHA-256", ErrUnsupportedKey, name)
		}
	}
	return &webKey{
		priv:        priv,
		pub:         pub,
		public:      public,
		alg:         alg,
		extractable: priv.Get("extractable").Bool(),
	}, nil
}

// importParams are the WebCrypto algorithm parameters for a public key.
func importParams(pub crypto.PublicKey) (js.Value, error) {
	params := js.Global().Get("Object").New()
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		params.Set("name", "ECDSA")
		switch k.Curve {
		case elliptic.P256():
			params.Set("namedCurve", "P-256")
		case elliptic.P384():
			params.Set("namedCurve", "P-384")
		default:
			return js.Undefined(), fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
		params.Set("name", "RSASSA-PKCS1-v1_5")
		params.Set("hash", "SHA-256")
	default:
		return js.Undefined(), fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	return params, nil
}

// OpenPKCS12 decodes a PKCS#12 file in the browser and imports its (first)
// private key into WebCrypto as NON-extractable. It returns the key as a Signer, the
// certificate and the rest of the chain in the file. A wrong password gives
// ErrWrongPassword; a file that cannot be decoded (damaged, not PKCS#12,
// or with algorithms renewal/ca/keyfile does not know) gives ErrBadFile;
// a key other than GOST R 34.10-2012, ECDSA P-256/P-384 or RSA gives
// ErrUnsupportedKey; a certificate that is not the key's gives ErrKeyMismatch.
//
// The Go copies of the key (the parsed key's numbers and the PKCS#8 bytes
// handed to WebCrypto, and the JavaScript copy of those) are zeroed as soon
// as WebCrypto has them (keyfile zeroes its decrypted PKCS#8). That is as
// far as Go allows: crypto/rsa's internal precomputed copy is garbage we cannot
// reach, the password is an immutable string, and the garbage collector
// gives no guarantee about old copies. The file and password are not sent
// anywhere.
func OpenPKCS12(ctx context.Context, data []byte, password string) (_ Signer, _ *x509.Certificate, _ []*x509.Certificate, err error) {
	all, err := OpenPKCS12Entries(ctx, data, password)
	if err != nil {
		return nil, nil, nil, err
	}
	return all[0].Signer, all[0].Cert, all[0].Chain, nil
}

// OpenPKCS12Entries is OpenPKCS12 for a file with several keys (a key
// store): every key that has its certificate in the file, in the file's
// order, each imported NON-extractable, so the person chooses one from a
// list. The Go copies are wiped as OpenPKCS12 says.
func OpenPKCS12Entries(ctx context.Context, data []byte, password string) (_ []Opened, err error) {
	defer catch(&err)
	if _, err := subtle(); err != nil {
		return nil, err
	}
	entries, err := decodePKCS12(data, password)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, e := range entries {
			wipe(e.key)
		}
	}()
	out := make([]Opened, 0, len(entries))
	for _, e := range entries {
		if g, ok := e.key.(*GOSTKey); ok {
			// WebCrypto has no GOST: the key stays in Go (see GOSTKey).
			out = append(out, Opened{Signer: g, Cert: e.cert, Chain: e.chain})
			continue
		}
		k, err := importPrivate(ctx, e.key)
		if err != nil {
			return nil, err
		}
		out = append(out, Opened{Signer: k, Cert: e.cert, Chain: e.chain})
	}
	return out, nil
}

// importPrivate hands a Go private key to WebCrypto as non-extractable and
// zeroes the PKCS#8 copies (Go's and JavaScript's) at once.
func importPrivate(ctx context.Context, key crypto.Signer) (*webKey, error) {
	sc, err := subtle()
	if err != nil {
		return nil, err
	}
	pub := key.Public()
	params, err := importParams(pub)
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: public key: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: private key: %w", err)
	}
	keyData := bytesToJS(pkcs8)
	clear(pkcs8)
	defer keyData.Call("fill", 0) // also if importKey throws
	// importKey copies keyData before it returns its promise (WebCrypto,
	// "get a copy of the bytes held by"), so the JS copy can go at once.
	promise := sc.Call("importKey", "pkcs8", keyData, params, false, usages("sign"))
	keyData.Call("fill", 0)
	priv, err := await(ctx, promise)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: import the private key: %w", err)
	}
	pubKey, err := await(ctx, sc.Call("importKey", "spki", bytesToJS(spki), params, true, usages("verify")))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: import the public key: %w", err)
	}
	return newWebKey(ctx, priv, pubKey)
}

// ExportPKCS12 writes an extractable key (exported from WebCrypto as
// PKCS#8), its certificate and chain as a PKCS#12 file protected by
// password (renewal/ca/keyfile ProfileAES: PBES2 with AES-256-CBC,
// PBKDF2-HMAC-SHA-256, HMAC-SHA-256 MAC, what OpenSSL 3 writes and reads),
// for the person to download. A GOSTKey is written by ExportGOSTPKCS12
// (keyfile's ProfileAES too, which OpenSSL's GOST engine reads). A
// non-extractable key gives ErrNotExtractable; a certificate of another
// key ErrKeyMismatch.
//
// keyfile.DefaultIterations PBKDF2 iterations (about 0.5 s here): the file
// is only as strong as the password, so the screen should ask for a long
// one.
func ExportPKCS12(ctx context.Context, s Signer, cert *x509.Certificate, chain []*x509.Certificate, password string) (_ []byte, err error) {
	defer catch(&err)
	if g, ok := s.(*GOSTKey); ok && g != nil {
		if cert == nil {
			return nil, errors.New("browsercrypto: ExportPKCS12 needs the key's certificate")
		}
		return ExportGOSTPKCS12(g, cert, chain, password)
	}
	k, ok := s.(*webKey)
	if !ok || k == nil {
		return nil, errors.New("browsercrypto: ExportPKCS12 needs a key made by this package")
	}
	if cert == nil {
		return nil, errors.New("browsercrypto: ExportPKCS12 needs the key's certificate")
	}
	if password == "" {
		return nil, errors.New("browsercrypto: a key file needs a password")
	}
	if err := matches(k.public, cert.PublicKey); err != nil {
		return nil, err
	}
	if !k.priv.Get("extractable").Bool() {
		return nil, ErrNotExtractable
	}
	sc, err := subtle()
	if err != nil {
		return nil, err
	}
	buf, err := await(ctx, sc.Call("exportKey", "pkcs8", k.priv))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: export the private key: %w", err)
	}
	der := bufferBytes(buf)
	js.Global().Get("Uint8Array").New(buf).Call("fill", 0)
	defer clear(der)
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: exported private key: %w", err)
	}
	defer wipe(key)
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
	}
	pfx, err := keyfile.EncodePKCS12([]keyfile.Entry{{Key: signer, Cert: cert, Chain: chain}}, password, nil)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: write the key file: %w", err)
	}
	return pfx, nil
}

// subtle returns crypto.subtle, missing on insecure origins.
func subtle() (js.Value, error) {
	c := js.Global().Get("crypto")
	if !c.Truthy() || !c.Get("subtle").Truthy() {
		return js.Undefined(), ErrNoWebCrypto
	}
	return c.Get("subtle"), nil
}

func usages(u ...string) js.Value {
	a := make([]any, len(u))
	for i, s := range u {
		a[i] = s
	}
	return js.ValueOf(a)
}

func jsError(v js.Value) error {
	if !v.Truthy() {
		return &DOMError{Name: "Error", Message: "unknown JavaScript error"}
	}
	if v.Type() == js.TypeObject {
		name, msg := v.Get("name"), v.Get("message")
		if name.Type() == js.TypeString {
			e := &DOMError{Name: name.String()}
			if msg.Type() == js.TypeString {
				e.Message = msg.String()
			}
			return e
		}
	}
	return &DOMError{Name: "Error", Message: v.Call("toString").String()}
}

// catch turns a JavaScript exception thrown by a js.Value call (a panic of
// type js.Error) into the function's error.
func catch(err *error) {
	if r := recover(); r != nil {
		if je, ok := r.(js.Error); ok {
			*err = fmt.Errorf("browsercrypto: %w", jsError(je.Value))
			return
		}
		panic(r)
	}
}

// await waits for a promise; a rejection becomes a DOMError like the
// exceptions catch turns into errors.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	v, err := jspromise.Await(ctx, promise)
	if rej, ok := err.(*jspromise.Rejected); ok {
		return v, jsError(rej.Reason)
	}
	return v, err
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

func bytesToJS(b []byte) js.Value {
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// bufferBytes copies an ArrayBuffer or a Uint8Array into Go.
func bufferBytes(v js.Value) []byte {
	u := v
	if !v.InstanceOf(js.Global().Get("Uint8Array")) {
		u = js.Global().Get("Uint8Array").New(v)
	}
	b := make([]byte, u.Get("length").Int())
	js.CopyBytesToGo(b, u)
	return b
}
