package data

import (
	"errors"
	"fmt"
)

// Error kinds. Callers wrap them with context (fmt.Errorf("…: %w", ErrNotFound)) or
// build an *Error with both languages; the web layer maps each kind to one HTTP status
// in one place.
var (
	ErrInvalid      = errors.New("invalid input")
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("not signed in")
	ErrForbidden    = errors.New("not allowed")
	ErrConflict     = errors.New("conflict")
	ErrLocked       = errors.New("database in use")
	ErrDiskFull     = errors.New("disk full")
	// ErrMonthLocked is a write into a locked month.
	ErrMonthLocked = fmt.Errorf("%w: month locked", ErrConflict)
	// ErrConfirm is a change that waits for the uploader's confirmation (a dossier
	// export that would replace figures a unit reported itself).
	ErrConfirm = fmt.Errorf("%w: confirmation needed", ErrConflict)
)

// Error is an error a person reads: its kind (one of the sentinels above), what to tell
// them in Vietnamese and in English, and the cause, which is logged but never shown (it
// may hold paths or SQL).
type Error struct {
	Kind  error
	VI    string
	EN    string
	Cause error
}

// Errorf builds an *Error of a kind; vi and en are format strings taking the same args.
func Errorf(kind error, vi, en string, args ...any) *Error {
	return &Error{Kind: kind, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)}
}

// WithCause returns e with the underlying error kept for the log.
func (e *Error) WithCause(err error) *Error {
	e.Cause = err
	return e
}

// Error is the English message, as logs and tests read it.
func (e *Error) Error() string { return e.EN }

// Unwrap lets errors.Is see the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

// Message is the text for a reader of lang ("en", else Vietnamese).
func (e *Error) Message(lang string) string {
	if lang == "en" || e.VI == "" {
		return e.EN
	}
	return e.VI
}

// MessageOf is what a reader of lang is told about err: an *Error's own words, else
// err's text.
func MessageOf(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message(lang)
	}
	return err.Error()
}
