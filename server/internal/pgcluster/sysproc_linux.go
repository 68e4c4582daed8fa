package pgcluster

import "syscall"

// sysProcAttr puts the child in its own process group (a terminal Ctrl-C
// reaches only the server, which then stops postgres in order), runs it as
// cred, and has the kernel send deathSig to it when the thread that forked it
// ends (the process being killed included).
func sysProcAttr(cred *syscall.Credential, deathSig syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Credential: cred, Pdeathsig: deathSig}
}
