//go:build !linux

package pgcluster

import "syscall"

// sysProcAttr: without Linux's Pdeathsig, postgres outlives a killed server.
func sysProcAttr(cred *syscall.Credential, _ syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Credential: cred}
}
