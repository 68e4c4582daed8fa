//go:build js

package browsercrypto

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall/js"
	"time"
)

// The keys kept in this browser: one IndexedDB database, one object store
// keyed by name. A record is
//
//	{name, kind: "webcrypto" (or missing: records before GOST), privateKey: CryptoKey,
//	 publicKey: CryptoKey, cert: Uint8Array|null, chain: [Uint8Array] (may be missing),
//	 created: milliseconds since 1970, alg: "ecdsa-p256"|...}
//
// or, for a GOST key (kind "gost", idb_gost_js.go), the same with sealed,
// iv and sealKey in place of privateKey and publicKey.
//
// The CryptoKey objects are stored by structured clone: the browser keeps
// the key material, script can sign with it but never read it (the private
// key is non-extractable). Clearing the site's data deletes the keys.
const (
	dbName    = "renewal-keys"
	dbVersion = 1
	storeName = "keys"
)

// StoreKey keeps a non-extractable key in this browser under name, with its
// certificate when known (certDER may be nil; see SetCertificate). It never
// overwrites: ErrKeyExists if name is taken. An extractable key gives
// ErrExtractable; a certificate of another key ErrKeyMismatch.
func StoreKey(ctx context.Context, name string, s Signer, certDER []byte) (err error) {
	defer catch(&err)
	k, ok := s.(*webKey)
	if !ok || k == nil {
		return errors.New("browsercrypto: StoreKey needs a key made by this package")
	}
	if k.extractable || k.priv.Get("extractable").Bool() {
		return ErrExtractable
	}
	return putRecord(ctx, "add", name, k, certDER, nil)
}

// KeepKey keeps an opened key in this browser under name with its
// certificate and chain, replacing what name held: the current key of an
// application, so that a reload can still sign with it. A WebCrypto key
// must be non-extractable: it is the same CryptoKey, cloned by IndexedDB,
// still not readable by script. A GOSTKey is kept sealed (sealGOST).
func KeepKey(ctx context.Context, name string, o Opened) (err error) {
	defer catch(&err)
	if !keptKind(o.Signer) || o.Cert == nil {
		return errors.New("browsercrypto: KeepKey needs a key made by this package and its certificate")
	}
	if k, ok := o.Signer.(*webKey); ok && (k.extractable || k.priv.Get("extractable").Bool()) {
		return ErrExtractable
	}
	var chain [][]byte
	for _, c := range o.Chain {
		chain = append(chain, c.Raw)
	}
	return putRecord(ctx, "put", name, o.Signer, o.Cert.Raw, chain)
}

// KeepForFile keeps a new EXTRACTABLE key, made to be written to a .p12
// file, until that file is saved (then DeleteKey): without it a reload
// between the request and the file would lose the key of a certificate
// already issued. Such a key is as readable by this site's script as it
// was in the tab's memory; the caller deletes it as soon as the file is
// written or the application ends. A GOSTKey is kept sealed (sealGOST).
func KeepForFile(ctx context.Context, name string, s Signer) (err error) {
	defer catch(&err)
	if !keptKind(s) {
		return errors.New("browsercrypto: KeepForFile needs a key made by this package")
	}
	return putRecord(ctx, "put", name, s, nil, nil)
}

// keptKind reports whether s is a key a record can hold: a WebCrypto key
// of this package or a GOSTKey.
func keptKind(s Signer) bool {
	switch k := s.(type) {
	case *webKey:
		return k != nil
	case *GOSTKey:
		return k != nil && k.priv != nil
	}
	return false
}

// LoadKept finds a key kept by KeepKey, StoreKey or KeepForFile, with its
// certificate (nil if none) and chain. ErrKeyNotFound if there is none.
func LoadKept(ctx context.Context, name string) (_ Opened, err error) {
	defer catch(&err)
	rec, err := getRecord(ctx, name)
	if err != nil {
		return Opened{}, err
	}
	k, err := recordKey(ctx, name, rec)
	if err != nil {
		return Opened{}, err
	}
	o := Opened{Signer: k}
	if der := certBytes(rec.Get("cert")); der != nil {
		if o.Cert, err = x509.ParseCertificate(der); err != nil {
			return Opened{}, fmt.Errorf("browsercrypto: kept certificate: %w", err)
		}
		// A record whose key is not its certificate's is refused, not used.
		if err := matches(k.Public(), gostPublicOf(o.Cert)); err != nil {
			return Opened{}, err
		}
	}
	if ch := rec.Get("chain"); ch.Truthy() {
		for i := range ch.Length() {
			c, err := x509.ParseCertificate(bufferBytes(ch.Index(i)))
			if err != nil {
				return Opened{}, fmt.Errorf("browsercrypto: kept chain: %w", err)
			}
			o.Chain = append(o.Chain, c)
		}
	}
	return o, nil
}

// The kinds of key a record holds (its "kind" field).
const (
	kindWebCrypto = "webcrypto"
	kindGOST      = "gost"
)

// putRecord writes a record of key s (a *webKey or, through sealGOST, a
// *GOSTKey) with op "add" (never overwrites: ErrKeyExists) or "put"
// (replaces).
func putRecord(ctx context.Context, op, name string, s Signer, certDER []byte, chain [][]byte) error {
	if name == "" {
		return errors.New("browsercrypto: a kept key needs a name")
	}
	cert := js.Null()
	if certDER != nil {
		if err := certMatches(s.Public(), certDER); err != nil {
			return err
		}
		cert = bytesToJS(certDER)
	}
	ch := js.Global().Get("Array").New()
	for _, c := range chain {
		ch.Call("push", bytesToJS(c))
	}
	rec := js.Global().Get("Object").New()
	rec.Set("name", name)
	switch k := s.(type) {
	case *webKey:
		rec.Set("kind", kindWebCrypto)
		rec.Set("privateKey", k.priv)
		rec.Set("publicKey", k.pub)
	case *GOSTKey:
		// Sealed before the transaction: it must not wait on WebCrypto.
		if err := sealGOST(ctx, name, k, rec); err != nil {
			return err
		}
		rec.Set("kind", kindGOST)
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedKey, s)
	}
	alg, _ := AlgorithmOf(s.Public())
	rec.Set("cert", cert)
	rec.Set("chain", ch)
	rec.Set("created", float64(time.Now().UnixMilli()))
	rec.Set("alg", string(alg))
	err := inTx(ctx, "readwrite", func(store js.Value) {
		store.Call(op, rec)
	})
	var de *DOMError
	if errors.As(err, &de) && de.Name == "ConstraintError" {
		return ErrKeyExists
	}
	if err != nil {
		return fmt.Errorf("browsercrypto: keep the key: %w", err)
	}
	return nil
}

// recordKey is the key a record holds, by its kind; an unknown kind is
// refused (a newer page's record, or a damaged one).
func recordKey(ctx context.Context, name string, rec js.Value) (Signer, error) {
	kind := rec.Get("kind")
	switch {
	case kind.IsUndefined(), kind.Type() == js.TypeString && kind.String() == kindWebCrypto:
		return newWebKey(ctx, rec.Get("privateKey"), rec.Get("publicKey"))
	case kind.Type() == js.TypeString && kind.String() == kindGOST:
		return openGOST(ctx, name, rec)
	}
	return nil, fmt.Errorf("%w: a kept key of kind %v", ErrUnsupportedKey, kind)
}

func getRecord(ctx context.Context, name string) (js.Value, error) {
	var req js.Value
	if err := inTx(ctx, "readonly", func(store js.Value) {
		req = store.Call("get", name)
	}); err != nil {
		return js.Undefined(), fmt.Errorf("browsercrypto: read the kept key: %w", err)
	}
	rec := req.Get("result")
	if !rec.Truthy() {
		return js.Undefined(), ErrKeyNotFound
	}
	return rec, nil
}

// LoadKey finds a key kept in this browser: the Signer and the certificate
// DER (nil when none was set). ErrKeyNotFound if there is none.
func LoadKey(ctx context.Context, name string) (_ Signer, _ []byte, err error) {
	defer catch(&err)
	rec, err := getRecord(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	k, err := recordKey(ctx, name, rec)
	if err != nil {
		return nil, nil, err
	}
	return k, certBytes(rec.Get("cert")), nil
}

// ListKeys lists the keys kept in this browser, by name.
func ListKeys(ctx context.Context) (_ []StoredKey, err error) {
	defer catch(&err)
	var req js.Value
	if err := inTx(ctx, "readonly", func(store js.Value) {
		req = store.Call("getAll")
	}); err != nil {
		return nil, fmt.Errorf("browsercrypto: list the kept keys: %w", err)
	}
	all := req.Get("result")
	out := make([]StoredKey, 0, all.Length())
	for i := range all.Length() {
		rec := all.Index(i)
		sk := StoredKey{Name: rec.Get("name").String(), CertDER: certBytes(rec.Get("cert"))}
		if c := rec.Get("created"); c.Type() == js.TypeNumber {
			sk.Created = time.UnixMilli(int64(c.Float()))
		}
		out = append(out, sk)
	}
	return out, nil
}

// SetCertificate records the certificate of a kept key (replacing any
// earlier one). ErrKeyNotFound if there is no such key, ErrKeyMismatch if
// the certificate is for another key.
func SetCertificate(ctx context.Context, name string, certDER []byte) (err error) {
	defer catch(&err)
	s, _, err := LoadKey(ctx, name)
	if err != nil {
		return err
	}
	if err := certMatches(s.Public(), certDER); err != nil {
		return err
	}
	// Read and write in one transaction: the put is issued from the get's
	// success callback, while the transaction is still active.
	var missing atomic.Bool
	var req, store js.Value
	onGet := js.FuncOf(func(this js.Value, args []js.Value) any {
		rec := req.Get("result")
		if !rec.Truthy() {
			missing.Store(true)
			return nil
		}
		rec.Set("cert", bytesToJS(certDER))
		store.Call("put", rec)
		return nil
	})
	defer onGet.Release()
	err = inTx(ctx, "readwrite", func(st js.Value) {
		store = st
		req = st.Call("get", name)
		req.Set("onsuccess", onGet)
	})
	if req.Truthy() {
		req.Set("onsuccess", js.Null())
	}
	if err != nil {
		return fmt.Errorf("browsercrypto: set the certificate: %w", err)
	}
	if missing.Load() {
		return ErrKeyNotFound // deleted in between
	}
	return nil
}

// DeleteKey removes a kept key and its certificate. Deleting a name that is
// not there is not an error. The key is gone for good: the browser held the
// only copy.
func DeleteKey(ctx context.Context, name string) (err error) {
	defer catch(&err)
	if err := inTx(ctx, "readwrite", func(store js.Value) {
		store.Call("delete", name)
	}); err != nil {
		return fmt.Errorf("browsercrypto: delete the kept key: %w", err)
	}
	return nil
}

// PersistStorage asks the browser not to evict this site's storage (and so
// the kept keys) under storage pressure (navigator.storage.persist). It
// reports whether storage is persistent; browsers may say no without asking
// the person. Clearing site data deletes the keys whatever it answers.
func PersistStorage(ctx context.Context) (_ bool, err error) {
	defer catch(&err)
	st := js.Global().Get("navigator").Get("storage")
	if !st.Truthy() || !st.Get("persist").Truthy() {
		return false, nil
	}
	v, err := await(ctx, st.Call("persist"))
	if err != nil {
		return false, fmt.Errorf("browsercrypto: persistent storage: %w", err)
	}
	return v.Truthy(), nil
}

func certMatches(pub crypto.PublicKey, certDER []byte) error {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return fmt.Errorf("browsercrypto: certificate: %w", err)
	}
	return matches(pub, gostPublicOf(cert))
}

func certBytes(v js.Value) []byte {
	if !v.Truthy() {
		return nil
	}
	return bufferBytes(v)
}

// inTx opens the database, runs fill to issue requests on the object store
// in one transaction, and waits for the transaction to complete. fill must
// not block (no await): a transaction commits as soon as the browser's
// event loop finds it with no pending request.
func inTx(ctx context.Context, mode string, fill func(store js.Value)) error {
	db, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Call("close")
	tx := db.Call("transaction", storeName, mode)
	fill(tx.Call("objectStore", storeName))
	return awaitTx(ctx, tx)
}

// openDB opens (creating or upgrading) the key database.
func openDB(ctx context.Context) (js.Value, error) {
	idb := js.Global().Get("indexedDB")
	if !idb.Truthy() {
		return js.Undefined(), ErrNoIndexedDB
	}
	req := idb.Call("open", dbName, dbVersion)
	upgrade := js.FuncOf(func(this js.Value, args []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", storeName).Bool() {
			opts := js.Global().Get("Object").New()
			opts.Set("keyPath", "name")
			db.Call("createObjectStore", storeName, opts)
		}
		return nil
	})
	req.Set("onupgradeneeded", upgrade)
	defer func() {
		req.Set("onupgradeneeded", js.Null())
		upgrade.Release()
	}()
	db, err := awaitRequest(ctx, req)
	if err != nil {
		return js.Undefined(), fmt.Errorf("open the key store: %w", err)
	}
	return db, nil
}

// awaitRequest waits for an IDBRequest's success or error event.
func awaitRequest(ctx context.Context, req js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	send := func(r result) {
		select {
		case ch <- r:
		default:
		}
	}
	ok := js.FuncOf(func(this js.Value, args []js.Value) any {
		send(result{v: req.Get("result")})
		return nil
	})
	fail := js.FuncOf(func(this js.Value, args []js.Value) any {
		send(result{err: jsError(req.Get("error"))})
		return nil
	})
	req.Set("onsuccess", ok)
	req.Set("onerror", fail)
	select {
	case r := <-ch:
		req.Set("onsuccess", js.Null())
		req.Set("onerror", js.Null())
		ok.Release()
		fail.Release()
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err() // callbacks stay: they may still fire
	}
}

// awaitTx waits for an IDBTransaction to complete. A failed request's
// error event bubbles up to the transaction, then the transaction aborts:
// the first of these gives the error.
func awaitTx(ctx context.Context, tx js.Value) error {
	ch := make(chan error, 1)
	send := func(err error) {
		select {
		case ch <- err:
		default:
		}
	}
	complete := js.FuncOf(func(this js.Value, args []js.Value) any {
		send(nil)
		return nil
	})
	fail := js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := arg0(args)
		if ev.Truthy() && ev.Get("target").Truthy() && ev.Get("target").Get("error").Truthy() {
			send(jsError(ev.Get("target").Get("error")))
		} else {
			send(jsError(tx.Get("error")))
		}
		return nil
	})
	abort := js.FuncOf(func(this js.Value, args []js.Value) any {
		if e := tx.Get("error"); e.Truthy() {
			send(jsError(e))
		} else {
			send(&DOMError{Name: "AbortError", Message: "transaction aborted"})
		}
		return nil
	})
	tx.Set("oncomplete", complete)
	tx.Set("onerror", fail)
	tx.Set("onabort", abort)
	select {
	case err := <-ch:
		// After an error the abort event is still to come: detached
		// handlers are never called, released funcs would panic.
		tx.Set("oncomplete", js.Null())
		tx.Set("onerror", js.Null())
		tx.Set("onabort", js.Null())
		complete.Release()
		fail.Release()
		abort.Release()
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
