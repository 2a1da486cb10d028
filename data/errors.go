package data

import "errors"

// Error kinds. Callers wrap them with context (fmt.Errorf("…: %w", ErrNotFound));
// the web layer maps each kind to one HTTP status in one place.
var (
	ErrInvalid      = errors.New("invalid input")
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("not signed in")
	ErrForbidden    = errors.New("not allowed")
	ErrConflict     = errors.New("conflict")
	ErrLocked       = errors.New("database in use")
	ErrDiskFull     = errors.New("disk full")
)
