package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles.
const (
	RoleAdmin     = "admin"
	RoleCommittee = "committee"
	RoleAnalyst   = "analyst"
	RoleOfficer   = "officer"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// Sign-in limits. No account can have a longer name (CreateUser refuses one) or a longer
// password (bcrypt reads at most 72 bytes), so the sign-in form refuses longer ones before
// any lookup, bcrypt or write: a 2 MB "username" costs the server nothing to turn away.
const (
	MaxUsernameBytes = 256
	MaxPasswordBytes = 1024
	// bcryptMaxBytes is what bcrypt can hash; CreateUser refuses longer passwords.
	bcryptMaxBytes = 72
)

// User is a person (or a machine client acting as one) who signs in.
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	Unit      string    `json:"unit_code,omitempty"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
	hash      string
}

// CheckPassword compares a password with the stored hash in constant time. A user that
// was not found (the zero User) is compared against a dummy hash of the same cost and
// never matches: an unknown name then costs what a known name with a wrong password
// costs, so the answer's timing does not tell which names exist.
func (u User) CheckPassword(pw string) bool {
	if u.hash == "" {
		_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(pw)) // only its time matters
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(u.hash), []byte(pw)) == nil
}

// dummyHash is the bcrypt hash, at bcrypt.DefaultCost like every user's, of a random
// password nobody knows; only its cost matters.
const dummyHash = "$2a$10$fdobg6xGcZblrS07IHtD5OT2.tTbex5RWjMuEzlbYrh.yeMhIGHYO"

// RandomSecret returns n random bytes, URL-safe base64.
func RandomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source is broken; nothing secure can continue
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

// CreateUser adds a user. Officers need a unit that exists.
func (s *Store) CreateUser(ctx context.Context, username, password, role, unit, actor string) (User, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return User{}, fmt.Errorf("%w: username is empty", ErrInvalid)
	}
	if len(username) > MaxUsernameBytes {
		return User{}, fmt.Errorf("%w: the username may have at most %d bytes", ErrInvalid, MaxUsernameBytes)
	}
	switch role {
	case RoleAdmin, RoleCommittee, RoleAnalyst:
		if unit != "" {
			return User{}, fmt.Errorf("%w: only an officer has a unit", ErrInvalid)
		}
	case RoleOfficer:
		if _, ok := s.ref.Latest(unit); !ok || unit == "" {
			return User{}, fmt.Errorf("%w: an officer needs a unit that exists (--unit CODE); %q is none", ErrInvalid, unit)
		}
	default:
		return User{}, fmt.Errorf("%w: role %q: use admin, committee, analyst or officer", ErrInvalid, role)
	}
	if len([]rune(password)) < MinPasswordLength {
		return User{}, fmt.Errorf("%w: the password must have at least %d characters", ErrInvalid, MinPasswordLength)
	}
	if len(password) > bcryptMaxBytes {
		return User{}, fmt.Errorf("%w: the password may have at most %d bytes", ErrInvalid, bcryptMaxBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, fmt.Errorf("hash the password: %w", err)
	}
	u := User{Username: username, Role: role, Unit: unit, CreatedAt: time.Now().UTC(), hash: string(h)}
	err = s.change(ctx, changesAccounts, func(conn *sql.Conn) error {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE username = ?`, username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: user %q exists already", ErrConflict, username)
		}
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM users`).Scan(&u.ID); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO users VALUES (?, ?, ?, ?, ?, false, ?)`, u.ID, u.Username, u.hash, u.Role, nullString(u.Unit), u.CreatedAt); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "user_add", Unit: unit, Detail: map[string]any{"username": username, "role": role}})
	})
	return u, err
}

const (
	userCols  = `id, username, password_hash, role, coalesce(unit_code, ''), disabled, created_at`
	userColsU = `u.id, u.username, u.password_hash, u.role, coalesce(u.unit_code, ''), u.disabled, u.created_at`
)

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	err := sc.Scan(&u.ID, &u.Username, &u.hash, &u.Role, &u.Unit, &u.Disabled, &u.CreatedAt)
	return u, err
}

// UserByName finds a user (wrapping ErrNotFound if there is none).
func (s *Store) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("%w: no user %q", ErrNotFound, name)
	}
	return u, err
}

// Users lists every user.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// HasAdmin reports whether an enabled admin exists.
func (s *Store) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n)
	return n > 0, err
}

// DisableUser disables a user and ends its sessions; its tokens stop working.
func (s *Store) DisableUser(ctx context.Context, username, actor string) error {
	u, err := s.UserByName(ctx, username)
	if err != nil {
		return err
	}
	return s.change(ctx, changesAccounts, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `UPDATE users SET disabled = true WHERE id = ?`, u.ID); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "user_disable", Detail: map[string]any{"username": username}})
	})
}
