//go:build js

// Command wasmprog runs browsercrypto in a real browser for ../browser_test.go.
// The page's query string names the phase:
//
//	?phase=store   keeps keys in IndexedDB (a fresh profile), sets certificates,
//	               loads and signs with them, imports a PKCS#12 file and keeps it
//	?phase=reload  after a page load: the keys are still there and sign; deletes them
//	?phase=bench   times GenerateKey+CreateRequest, 20 runs each for P-256 and RSA-2048,
//	               and GOSTSeed+GenerateGOSTKey+CreateRequest for gost2012-256/512
//	?phase=gost    makes a GOST key and CSR as the wizard does, signs a challenge and
//	               a CMS, saves and reopens its PKCS#12; the CSR and the file go to
//	               window.gostResult for the test to check with OpenSSL
//	?phase=gostkeep  keeps GOST keys (256 and 512) as the wizard does: KeepKey
//	               with a certificate, KeepForFile without; loads and signs
//	?phase=gostload  after a page load (and the test's tampered copies): the kept
//	               GOST keys load and sign, every tampered copy is refused; deletes all
//
// It writes what it does into <pre id="log">, the timings (milliseconds,
// JSON) into window.benchResult, and its verdict into document.title: "ok"
// or "error: ...".
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"syscall/js"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	bc "renewal/app/browsercrypto"
	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
)

func main() {
	err := runPhase()
	if err != nil {
		logf("FAILED: %v", err)
		js.Global().Get("document").Set("title", "error: "+err.Error())
	} else {
		js.Global().Get("document").Set("title", "ok")
	}
	// The program stays until the page goes: a runtime timer or a callback
	// firing after main returned would throw "Go program has already
	// exited" in the page, which fails the test (seen once under load).
	select {}
}

func runPhase() error {
	u, _ := url.Parse(js.Global().Get("location").Get("href").String())
	q := u.Query()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	switch phase := q.Get("phase"); phase {
	case "store":
		err = store(ctx)
	case "reload":
		err = reload(ctx)
	case "bench":
		err = bench(ctx)
	case "gost":
		err = gostPhase(ctx)
	case "gostkeep":
		err = gostKeep(ctx)
	case "gostload":
		err = gostLoad(ctx)
	default:
		err = fmt.Errorf("unknown phase %q", phase)
	}
	return err
}

func logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	println(line) // the browser console
	pre := js.Global().Get("document").Call("getElementById", "log")
	if pre.Truthy() {
		pre.Set("textContent", pre.Get("textContent").String()+line+"\n")
	}
}

// expect fails unless err is target.
func expect(what string, err, target error) error {
	if !errors.Is(err, target) {
		return fmt.Errorf("%s: got %v, want %v", what, err, target)
	}
	logf("%s: %v (as expected)", what, target)
	return nil
}

func store(ctx context.Context) error {
	if keys, err := bc.ListKeys(ctx); err != nil || len(keys) != 0 {
		return fmt.Errorf("fresh profile: ListKeys = %d keys, %v", len(keys), err)
	}
	persistent, err := bc.PersistStorage(ctx)
	if err != nil {
		return err
	}
	logf("PersistStorage: %v", persistent)

	ca, err := newCA()
	if err != nil {
		return err
	}

	// A new P-256 key, kept without a certificate, then given one.
	ec, err := bc.GenerateKey(ctx, bc.AlgECDSAP256, false)
	if err != nil {
		return err
	}
	if err := bc.StoreKey(ctx, "current", ec, nil); err != nil {
		return fmt.Errorf("StoreKey: %w", err)
	}
	if err := expect("StoreKey on a taken name", bc.StoreKey(ctx, "current", ec, nil), bc.ErrKeyExists); err != nil {
		return err
	}
	ext, err := bc.GenerateKey(ctx, bc.AlgECDSAP256, true)
	if err != nil {
		return err
	}
	if err := expect("StoreKey of an extractable key", bc.StoreKey(ctx, "ext", ext, nil), bc.ErrExtractable); err != nil {
		return err
	}
	ecCert, err := ca.issue(ec.Public(), "EC holder")
	if err != nil {
		return err
	}
	otherCert, err := ca.issue(ext.Public(), "someone else")
	if err != nil {
		return err
	}
	if err := expect("SetCertificate of another key", bc.SetCertificate(ctx, "current", otherCert), bc.ErrKeyMismatch); err != nil {
		return err
	}
	if err := expect("SetCertificate of a missing key", bc.SetCertificate(ctx, "missing", ecCert), bc.ErrKeyNotFound); err != nil {
		return err
	}
	if err := bc.SetCertificate(ctx, "current", ecCert); err != nil {
		return fmt.Errorf("SetCertificate: %w", err)
	}
	logf("P-256 key kept as \"current\" with its certificate")

	// A new RSA key, kept with its certificate at once.
	rsaKey, err := bc.GenerateKey(ctx, bc.AlgRSA2048, false)
	if err != nil {
		return err
	}
	rsaCert, err := ca.issue(rsaKey.Public(), "RSA holder")
	if err != nil {
		return err
	}
	if err := bc.StoreKey(ctx, "rsa", rsaKey, rsaCert); err != nil {
		return fmt.Errorf("StoreKey(rsa): %w", err)
	}

	// A key from a PKCS#12 file, opened in this browser and kept.
	goKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	fileCertDER, err := ca.issue(goKey.Public(), "file holder")
	if err != nil {
		return err
	}
	fileCert, _ := x509.ParseCertificate(fileCertDER)
	pfx, err := pkcs12.Modern.Encode(goKey, fileCert, []*x509.Certificate{ca.cert}, "пароль")
	if err != nil {
		return err
	}
	_, _, _, err = bc.OpenPKCS12(ctx, pfx, "wrong")
	if err := expect("OpenPKCS12 with a wrong password", err, bc.ErrWrongPassword); err != nil {
		return err
	}
	imported, cert, chain, err := bc.OpenPKCS12(ctx, pfx, "пароль")
	if err != nil {
		return fmt.Errorf("OpenPKCS12: %w", err)
	}
	if len(chain) != 1 {
		return fmt.Errorf("OpenPKCS12: chain of %d", len(chain))
	}
	if err := bc.StoreKey(ctx, "imported", imported, cert.Raw); err != nil {
		return fmt.Errorf("StoreKey(imported): %w", err)
	}

	keys, err := bc.ListKeys(ctx)
	if err != nil {
		return err
	}
	want := map[string][]byte{"current": ecCert, "imported": fileCertDER, "rsa": rsaCert}
	if len(keys) != len(want) {
		return fmt.Errorf("ListKeys: %d keys, want %d", len(keys), len(want))
	}
	for _, k := range keys {
		if !bytes.Equal(k.CertDER, want[k.Name]) {
			return fmt.Errorf("ListKeys: %q has another certificate", k.Name)
		}
		if age := time.Since(k.Created); age < 0 || age > time.Minute {
			return fmt.Errorf("ListKeys: %q created %v", k.Name, k.Created)
		}
		logf("kept: %s, certificate %d bytes, created %s", k.Name, len(k.CertDER), k.Created.Format(time.RFC3339))
	}

	for name := range want {
		if err := signWithKept(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func reload(ctx context.Context) error {
	keys, err := bc.ListKeys(ctx)
	if err != nil {
		return err
	}
	if len(keys) != 3 {
		return fmt.Errorf("after the reload: %d keys kept, want 3", len(keys))
	}
	for _, k := range keys {
		if err := signWithKept(ctx, k.Name); err != nil {
			return err
		}
	}
	if err := bc.DeleteKey(ctx, "current"); err != nil {
		return err
	}
	_, _, err = bc.LoadKey(ctx, "current")
	if err := expect("LoadKey after DeleteKey", err, bc.ErrKeyNotFound); err != nil {
		return err
	}
	if err := bc.DeleteKey(ctx, "current"); err != nil {
		return fmt.Errorf("DeleteKey twice: %w", err)
	}
	for _, name := range []string{"rsa", "imported"} {
		if err := bc.DeleteKey(ctx, name); err != nil {
			return err
		}
	}
	if keys, err := bc.ListKeys(ctx); err != nil || len(keys) != 0 {
		return fmt.Errorf("after deleting all: %d keys, %v", len(keys), err)
	}
	logf("all kept keys deleted")
	return nil
}

// signWithKept loads a kept key and signs a challenge, a detached CMS and a
// request with it, checking each with the kept certificate.
func signWithKept(ctx context.Context, name string) error {
	s, certDER, err := bc.LoadKey(ctx, name)
	if err != nil {
		return fmt.Errorf("LoadKey(%s): %w", name, err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return fmt.Errorf("LoadKey(%s): certificate: %w", name, err)
	}
	msg := []byte("server challenge " + name)
	sig, err := bc.SignChallenge(s, msg)
	if err != nil {
		return fmt.Errorf("SignChallenge(%s): %w", name, err)
	}
	alg := x509.SHA256WithRSA
	if _, ok := cert.PublicKey.(*ecdsa.PublicKey); ok {
		alg = x509.ECDSAWithSHA256
	}
	if err := cert.CheckSignature(alg, msg, sig); err != nil {
		return fmt.Errorf("challenge signature of %s: %w", name, err)
	}
	if _, err := bc.SignDetached(s, cert, nil, []byte("%PDF acknowledgement"), time.Now()); err != nil {
		return fmt.Errorf("SignDetached(%s): %w", name, err)
	}
	csr, err := bc.CreateRequest(s, pkix.Name{})
	if err != nil {
		return fmt.Errorf("CreateRequest(%s): %w", name, err)
	}
	parsed, err := x509.ParseCertificateRequest(csr)
	if err != nil || parsed.CheckSignature() != nil {
		return fmt.Errorf("request of %s does not verify: %v", name, err)
	}
	if _, err := s.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); !errors.Is(err, bc.ErrDigestSigning) {
		return fmt.Errorf("Sign(digest) of %s: %v", name, err)
	}
	logf("%s: loaded, signed a challenge, a CMS and a request", name)
	return nil
}

func bench(ctx context.Context) error {
	perf := js.Global().Get("performance")
	result := map[string][]float64{}
	for _, alg := range []bc.KeyAlgorithm{bc.AlgECDSAP256, bc.AlgRSA2048} {
		for range 20 {
			start := perf.Call("now").Float()
			s, err := bc.GenerateKey(ctx, alg, false)
			if err != nil {
				return err
			}
			if _, err := bc.CreateRequest(s, pkix.Name{CommonName: "bench"}); err != nil {
				return err
			}
			result[string(alg)] = append(result[string(alg)], perf.Call("now").Float()-start)
		}
		logf("%s: %v ms", alg, result[string(alg)])
	}
	// The GOST key as the wizard makes it (a full entropy pool mixed in),
	// then its request.
	var pool bc.EntropyPool
	pool.Add([]byte("bench"))
	for _, alg := range []bc.KeyAlgorithm{bc.AlgGOST256, bc.AlgGOST512} {
		for range 20 {
			start := perf.Call("now").Float()
			seed, err := bc.GOSTSeed(alg, &pool)
			if err != nil {
				return err
			}
			k, err := bc.GenerateGOSTKey(alg, seed)
			if err != nil {
				return err
			}
			if _, err := bc.CreateRequest(k, pkix.Name{CommonName: "bench"}); err != nil {
				return err
			}
			result[string(alg)] = append(result[string(alg)], perf.Call("now").Float()-start)
		}
		logf("%s: %v ms", alg, result[string(alg)])
	}
	b, _ := json.Marshal(result)
	js.Global().Set("benchResult", string(b))
	return nil
}

// gostPhase runs the GOST key path of the wizard in the browser.
func gostPhase(ctx context.Context) error {
	var pool bc.EntropyPool
	for i := range 300 {
		pool.Add([]byte(fmt.Sprint("move ", i)))
	}
	out := map[string][]byte{}
	for _, alg := range []bc.KeyAlgorithm{bc.AlgGOST256, bc.AlgGOST512} {
		seed, err := bc.GOSTSeed(alg, &pool)
		if err != nil {
			return err
		}
		k, err := bc.GenerateGOSTKey(alg, seed)
		if err != nil {
			return err
		}
		csr, err := bc.CreateRequest(k, pkix.Name{})
		if err != nil {
			return err
		}
		if _, pub, err := x509sig.ParseCertificateRequest(csr); err != nil || !k.Public().(*gost3410.PublicKey).Equal(pub) {
			return fmt.Errorf("%s: the CSR does not verify: %v", alg, err)
		}
		if _, err := bc.SignChallenge(k, []byte("challenge")); err != nil {
			return err
		}
		// A certificate for the key (self-signed here; the CA's in the wizard).
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "GOST in Chromium"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
		der, err := x509sig.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
		if err != nil {
			return err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return err
		}
		content := []byte("application signed in Chromium")
		p7, err := bc.SignDetached(k, cert, nil, content, time.Now())
		if err != nil {
			return err
		}
		if _, err := cms.Verify(p7, content); err != nil {
			return fmt.Errorf("%s: CMS: %v", alg, err)
		}
		// Saved as the wizard saves it, and opened as the current key.
		pfx, err := bc.ExportPKCS12(ctx, k, cert, nil, "gost file password")
		if err != nil {
			return err
		}
		opened, err := bc.OpenPKCS12Entries(ctx, pfx, "gost file password")
		if err != nil {
			return fmt.Errorf("%s: open the saved file: %v", alg, err)
		}
		if len(opened) != 1 || !opened[0].Signer.Public().(*gost3410.PublicKey).Equal(k.Public()) {
			return fmt.Errorf("%s: the saved file opened as another key", alg)
		}
		if _, err := bc.SignChallenge(opened[0].Signer, []byte("again")); err != nil {
			return err
		}
		logf("%s: key, CSR, challenge, CMS, PKCS#12 saved and reopened", alg)
		out[string(alg)+".csr"], out[string(alg)+".p12"], out[string(alg)+".p7s"], out[string(alg)+".crt"] = csr, pfx, p7, der
	}
	b, _ := json.Marshal(out)
	js.Global().Set("gostResult", string(b))
	return nil
}

// keptGOST are the records gostKeep writes: the current key of an
// application (with its certificate) and a new key for a file, per size.
var keptGOST = []string{
	"current-gost2012-256", "file-gost2012-256",
	"current-gost2012-512", "file-gost2012-512",
}

// tampered are copies of current-gost2012-256 the test damages in place.
var tampered = []string{"bad-sealed", "bad-iv", "bad-sealkey", "bad-nokey", "bad-ecdsa", "bad-kind", "bad-cert"}

// gostKeep keeps GOST keys as the wizard does and remembers their public
// keys (localStorage) to compare after the page load.
func gostKeep(ctx context.Context) error {
	var pool bc.EntropyPool
	pool.Add([]byte("gost keep"))
	keys := map[string]*bc.GOSTKey{}
	for _, alg := range []bc.KeyAlgorithm{bc.AlgGOST256, bc.AlgGOST512} {
		for _, role := range []string{"current-", "file-"} {
			seed, err := bc.GOSTSeed(alg, &pool)
			if err != nil {
				return err
			}
			if keys[role+string(alg)], err = bc.GenerateGOSTKey(alg, seed); err != nil {
				return err
			}
		}
	}
	for _, alg := range []string{"gost2012-256", "gost2012-512"} {
		cur, file := keys["current-"+alg], keys["file-"+alg]
		cert, err := selfSignedGOST(cur, "kept "+alg)
		if err != nil {
			return err
		}
		other, err := selfSignedGOST(file, "someone else")
		if err != nil {
			return err
		}
		err = bc.KeepKey(ctx, "current-"+alg, bc.Opened{Signer: cur, Cert: other})
		if err := expect("KeepKey with another key's certificate", err, bc.ErrKeyMismatch); err != nil {
			return err
		}
		if err := bc.KeepKey(ctx, "current-"+alg, bc.Opened{Signer: cur, Cert: cert, Chain: []*x509.Certificate{other}}); err != nil {
			return fmt.Errorf("KeepKey(%s): %w", alg, err)
		}
		if err := bc.KeepForFile(ctx, "file-"+alg, file); err != nil {
			return fmt.Errorf("KeepForFile(%s): %w", alg, err)
		}
	}
	// The same key and certificate again, for the test to damage each copy
	// in its own way (in place: the name is bound to the sealed key).
	cur, err := bc.LoadKept(ctx, "current-gost2012-256")
	if err != nil {
		return err
	}
	for _, name := range tampered {
		if err := bc.KeepKey(ctx, name, cur); err != nil {
			return err
		}
		if _, err := bc.LoadKept(ctx, name); err != nil {
			return fmt.Errorf("LoadKept(%s) before it is damaged: %w", name, err)
		}
	}
	storage := js.Global().Get("localStorage")
	for _, name := range keptGOST {
		spki, err := gost3410.MarshalPKIXPublicKey(keys[name].Public().(*gost3410.PublicKey))
		if err != nil {
			return err
		}
		storage.Call("setItem", "pub:"+name, hex.EncodeToString(spki))
		if err := signWithKeptGOST(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// gostLoad, after the page load: the kept GOST keys are the same keys and
// sign; the test's tampered copies ("bad-...") are refused; all deleted.
func gostLoad(ctx context.Context) error {
	for _, name := range keptGOST {
		if err := signWithKeptGOST(ctx, name); err != nil {
			return err
		}
	}
	// LoadKey (the kept-key list of the certificate step) reads them too.
	if s, certDER, err := bc.LoadKey(ctx, "current-gost2012-512"); err != nil || certDER == nil {
		return fmt.Errorf("LoadKey of a GOST record: %v", err)
	} else if _, ok := s.(*bc.GOSTKey); !ok {
		return fmt.Errorf("LoadKey of a GOST record gave %T", s)
	}
	cur, err := bc.LoadKept(ctx, "current-gost2012-256")
	if err != nil {
		return err
	}
	err = bc.SetCertificate(ctx, "file-gost2012-256", cur.Cert.Raw)
	if err := expect("SetCertificate of another GOST key", err, bc.ErrKeyMismatch); err != nil {
		return err
	}
	bad := map[string]error{
		"bad-sealed":  bc.ErrKeptKeyDamaged, // a bit of the ciphertext flipped
		"bad-iv":      bc.ErrKeptKeyDamaged,
		"bad-sealkey": bc.ErrKeptKeyDamaged, // another record's sealing key
		"bad-nokey":   bc.ErrKeptKeyDamaged,
		"bad-ecdsa":   bc.ErrKeptKeyDamaged, // an ECDSA CryptoKey as the sealing key
		"bad-kind":    bc.ErrUnsupportedKey,
		"bad-cert":    bc.ErrKeyMismatch,    // another key's certificate
		"bad-moved":   bc.ErrKeptKeyDamaged, // a whole record under another name
	}
	if len(bad) != len(tampered)+1 {
		return fmt.Errorf("%d tampered records, %d checks", len(tampered)+1, len(bad))
	}
	for name, want := range bad {
		o, err := bc.LoadKept(ctx, name)
		if err := expect("LoadKept("+name+")", err, want); err != nil {
			return err
		}
		if o.Signer != nil {
			return fmt.Errorf("LoadKept(%s) gave a key with its error", name)
		}
	}
	for _, name := range keptGOST {
		if err := bc.DeleteKey(ctx, name); err != nil {
			return err
		}
	}
	for name := range bad {
		if err := bc.DeleteKey(ctx, name); err != nil {
			return err
		}
	}
	if keys, err := bc.ListKeys(ctx); err != nil || len(keys) != 0 {
		return fmt.Errorf("after deleting the GOST records: %d keys, %v", len(keys), err)
	}
	logf("GOST records deleted")
	return nil
}

// signWithKeptGOST loads a kept GOST key, checks it is the key kept
// (localStorage), signs a challenge and checks it with gost3410; a current
// key also signs a CMS checked against its kept certificate.
func signWithKeptGOST(ctx context.Context, name string) error {
	o, err := bc.LoadKept(ctx, name)
	if err != nil {
		return fmt.Errorf("LoadKept(%s): %w", name, err)
	}
	k, ok := o.Signer.(*bc.GOSTKey)
	if !ok {
		return fmt.Errorf("LoadKept(%s) gave %T", name, o.Signer)
	}
	pub := k.Public().(*gost3410.PublicKey)
	spki, err := gost3410.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	if want := js.Global().Get("localStorage").Call("getItem", "pub:"+name).String(); hex.EncodeToString(spki) != want {
		return fmt.Errorf("LoadKept(%s) gave another key", name)
	}
	msg := []byte("server challenge " + name)
	sig, err := bc.SignChallenge(k, msg)
	if err != nil {
		return fmt.Errorf("SignChallenge(%s): %w", name, err)
	}
	if !gost3410.VerifyMessage(pub, msg, sig) {
		return fmt.Errorf("the challenge signature of %s does not verify", name)
	}
	if strings.HasPrefix(name, "file-") {
		if o.Cert != nil || len(o.Chain) != 0 {
			return fmt.Errorf("LoadKept(%s): a certificate for a key kept without one", name)
		}
		logf("%s: loaded, signed a challenge", name)
		return nil
	}
	if o.Cert == nil || len(o.Chain) != 1 {
		return fmt.Errorf("LoadKept(%s): certificate %v, chain of %d", name, o.Cert != nil, len(o.Chain))
	}
	content := []byte("application of " + name)
	p7, err := bc.SignDetached(k, o.Cert, o.Chain, content, time.Now())
	if err != nil {
		return fmt.Errorf("SignDetached(%s): %w", name, err)
	}
	if _, err := cms.Verify(p7, content); err != nil {
		return fmt.Errorf("CMS of %s: %w", name, err)
	}
	logf("%s: loaded, signed a challenge and a CMS", name)
	return nil
}

// selfSignedGOST is a certificate of k signed by k.
func selfSignedGOST(k *bc.GOSTKey, cn string) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509sig.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// ca is a throwaway Go CA for certificates of the keys under test.
type ca struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newCA() (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Browser test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &ca{key: key, cert: cert}, nil
}

func (c *ca) issue(pub crypto.PublicKey, cn string) ([]byte, error) {
	serial := sha256.Sum256([]byte(cn + time.Now().String()))
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial[:16]),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	return x509.CreateCertificate(rand.Reader, tmpl, c.cert, pub, c.key)
}
