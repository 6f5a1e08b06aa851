package disk

import (
	"errors"
	"syscall"
)

// isNotDir reports whether err says a path element is a file, which happens
// when a key reaches below another key ("a" stored, "a/b" asked for).
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}
