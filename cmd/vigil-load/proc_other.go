//go:build !linux

package main

import "syscall"

// childAttr: only Linux can tie a child's life to its parent's; elsewhere
// the driver stops its children itself when it ends normally.
func childAttr() *syscall.SysProcAttr { return nil }
