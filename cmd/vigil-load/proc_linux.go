package main

import "syscall"

// childAttr makes a child server die with the driver, however the driver
// ends, so that no server is left listening on a dropped database.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
