package ca

import (
	"crypto/x509"
	"time"

	"renewal/ca/profile"
)

// CheckValidity runs the validity check of Renew on a notBefore and a
// notAfter the pipeline itself would never prepare (security case 23).
func CheckValidity(prof *profile.Profile, notBefore, notAfter, now time.Time) error {
	r := &renewal{now: now, prof: prof}
	return checkValidity(r, &x509.Certificate{NotBefore: notBefore, NotAfter: notAfter}, now)
}
