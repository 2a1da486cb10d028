package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
		bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(pw))
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

// Session is a signed-in browser.
type Session struct {
	CSRF      string
	ExpiresAt time.Time
}

// CreateSession starts a browser session and returns the cookie's value.
func (s *Store) CreateSession(ctx context.Context, u User, ttl time.Duration, peer string) (token string, sess Session, err error) {
	token = RandomSecret(32)
	sess = Session{CSRF: RandomSecret(24), ExpiresAt: time.Now().UTC().Add(ttl)}
	err = s.change(ctx, changesAccounts, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, time.Now().UTC()); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO sessions VALUES (?, ?, ?, ?, ?)`, hashToken(token), u.ID, sess.CSRF, time.Now().UTC(), sess.ExpiresAt); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: u.Username, Action: "login", Peer: peer})
	})
	return token, sess, err
}

// credCache remembers who a session or token is, so that a busy dashboard does not ask
// the database on every request. Any write to accounts clears it (this process is the
// only writer), and expiry is still checked on every use.
type credCache struct {
	mu  sync.Mutex
	m   map[string]cachedCred
	gen uint64 // moves on every clear: a lookup that began before a write is not kept
}

type cachedCred struct {
	user User
	sess Session
	err  error
}

func (c *credCache) get(k string) (cachedCred, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *credCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *credCache) put(k string, v cachedCred, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedCred{}
	}
	c.m[k] = v
}

func (c *credCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.gen++
	c.mu.Unlock()
}

// SessionUser returns the user of a live session (ErrUnauthorized if it has expired, was
// ended, or its user is disabled).
func (s *Store) SessionUser(ctx context.Context, token string) (User, Session, error) {
	key := "s:" + hashToken(token)
	if v, ok := s.creds.get(key); ok {
		if v.err == nil && time.Now().UTC().After(v.sess.ExpiresAt) {
			return User{}, Session{}, fmt.Errorf("%w: the session has ended; sign in again", ErrUnauthorized)
		}
		return v.user, v.sess, v.err
	}
	gen := s.creds.generation()
	u, sess, err := s.sessionUser(ctx, token)
	if err == nil || errors.Is(err, ErrUnauthorized) {
		s.creds.put(key, cachedCred{u, sess, err}, gen)
	}
	return u, sess, err
}

func (s *Store) sessionUser(ctx context.Context, token string) (User, Session, error) {
	var sess Session
	row := s.db.QueryRowContext(ctx, `SELECT `+userColsU+`, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ?`, hashToken(token))
	var u User
	err := row.Scan(&u.ID, &u.Username, &u.hash, &u.Role, &u.Unit, &u.Disabled, &u.CreatedAt, &sess.CSRF, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (u.Disabled || time.Now().UTC().After(sess.ExpiresAt))) {
		return User{}, Session{}, fmt.Errorf("%w: the session has ended; sign in again", ErrUnauthorized)
	}
	return u, sess, err
}

// EndSession signs a browser out.
func (s *Store) EndSession(ctx context.Context, token, actor, peer string) error {
	return s.change(ctx, changesAccounts, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "logout", Peer: peer})
	})
}

// Token is an API token's record (never the token itself).
type Token struct {
	ID        int64      `json:"id"`
	Username  string     `json:"username"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// CreateToken makes an API token for a user and returns it; only its hash is kept.
func (s *Store) CreateToken(ctx context.Context, username, name, actor string) (string, Token, error) {
	u, err := s.UserByName(ctx, username)
	if err != nil {
		return "", Token{}, err
	}
	if u.Disabled {
		return "", Token{}, fmt.Errorf("%w: user %q is disabled", ErrInvalid, username)
	}
	secret := "egk_" + RandomSecret(32)
	t := Token{Username: username, Name: name, CreatedAt: time.Now().UTC()}
	err = s.change(ctx, changesAccounts, func(conn *sql.Conn) error {
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM api_tokens`).Scan(&t.ID); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, NULL)`, t.ID, u.ID, hashToken(secret), nullString(name), t.CreatedAt); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "token_create", Detail: map[string]any{"token_id": t.ID, "username": username, "name": name}})
	})
	return secret, t, err
}

// RevokeToken stops a token from working.
func (s *Store) RevokeToken(ctx context.Context, id int64, actor string) error {
	return s.change(ctx, changesAccounts, func(conn *sql.Conn) error {
		res, err := conn.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, time.Now().UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no live token %d", ErrNotFound, id)
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "token_revoke", Detail: map[string]any{"token_id": id}})
	})
}

// Tokens lists the API tokens.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, u.username, coalesce(t.name, ''), t.created_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.Username, &t.Name, &t.CreatedAt, &rev); err != nil {
			return nil, err
		}
		if rev.Valid {
			t.RevokedAt = &rev.Time
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenUser returns the user a live token acts for.
func (s *Store) TokenUser(ctx context.Context, token string) (User, error) {
	key := "t:" + hashToken(token)
	if v, ok := s.creds.get(key); ok {
		return v.user, v.err
	}
	gen := s.creds.generation()
	u, err := s.tokenUser(ctx, token)
	if err == nil || errors.Is(err, ErrUnauthorized) {
		s.creds.put(key, cachedCred{user: u, err: err}, gen)
	}
	return u, err
}

func (s *Store) tokenUser(ctx context.Context, token string) (User, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+userColsU+` FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND NOT u.disabled`, hashToken(token))
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: the token is unknown or revoked", ErrUnauthorized)
	}
	return u, err
}

// Lock is a locked month.
type Lock struct {
	Month    Month     `json:"period"`
	LockedBy string    `json:"locked_by"`
	LockedAt time.Time `json:"locked_at"`
}

// LockMonth locks a month against writes.
func (s *Store) LockMonth(ctx context.Context, m Month, actor string) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error {
		if l, ok, err := lockOf(ctx, conn, m); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: %s is locked already (by %s at %s)", ErrConflict, m, l.LockedBy, l.LockedAt.Format(time.RFC3339))
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO month_locks VALUES (?, ?, ?)`, m.Time(), actor, time.Now().UTC()); err != nil {
			return err
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "lock", Month: m})
	})
}

// UnlockMonth reopens a locked month.
func (s *Store) UnlockMonth(ctx context.Context, m Month, actor string) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error {
		res, err := conn.ExecContext(ctx, `DELETE FROM month_locks WHERE month = ?`, m.Time())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s is not locked", ErrNotFound, m)
		}
		return audit(ctx, conn, AuditEntry{Actor: actor, Action: "reopen", Month: m})
	})
}

// Locks lists the locked months.
func (s *Store) Locks(ctx context.Context) ([]Lock, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT month, locked_by, locked_at FROM month_locks ORDER BY month`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Lock
	for rows.Next() {
		var l Lock
		var m time.Time
		if err := rows.Scan(&m, &l.LockedBy, &l.LockedAt); err != nil {
			return nil, err
		}
		l.Month = MonthOf(m)
		out = append(out, l)
	}
	return out, rows.Err()
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func lockOf(ctx context.Context, q querier, m Month) (Lock, bool, error) {
	l := Lock{Month: m}
	err := q.QueryRowContext(ctx, `SELECT locked_by, locked_at FROM month_locks WHERE month = ?`, m.Time()).Scan(&l.LockedBy, &l.LockedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     int64          `json:"id"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor"`
	Action string         `json:"action"`
	Unit   string         `json:"unit_code,omitempty"`
	Month  Month          `json:"period,omitempty"`
	Detail map[string]any `json:"detail,omitempty"`
	Peer   string         `json:"peer,omitempty"`
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// Bounds of an audit entry's fields. Some come from whoever sends a request (a name
// typed into the sign-in form, an export's query), so each is cut to a bound here, in the
// one place every entry passes through: the log grows by at most this much per entry.
const (
	MaxAuditText       = 256     // actor, action, unit, peer: characters
	MaxAuditDetailText = 4 << 10 // each string inside the detail: characters
	// MaxAuditDetail is the detail's JSON in bytes; a longer one is kept as its
	// beginning, under "truncated".
	MaxAuditDetail = 64 << 10
)

// clip cuts s to at most n characters, the last being "…" when anything was cut; an
// invalid UTF-8 sequence is replaced rather than cut in two.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n-1 {
			return s[:k] + "…"
		}
		i++
	}
	return s
}

// clipDetail copies a detail with every string in it clipped; the caller's map is left
// as it was.
func clipDetail(v any) any {
	switch x := v.(type) {
	case string:
		return clip(x, MaxAuditDetailText)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[clip(k, MaxAuditText)] = clipDetail(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clipDetail(e)
		}
		return out
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = clip(e, MaxAuditDetailText)
		}
		return out
	}
	return v
}

// bounded is the entry as it is stored: every field within its bound.
func (e AuditEntry) bounded() (AuditEntry, string, error) {
	e.Actor, e.Action = clip(e.Actor, MaxAuditText), clip(e.Action, MaxAuditText)
	e.Unit, e.Peer = clip(e.Unit, MaxAuditText), clip(e.Peer, MaxAuditText)
	if e.Detail == nil {
		return e, "", nil
	}
	b, err := json.Marshal(clipDetail(e.Detail))
	if err != nil {
		return e, "", fmt.Errorf("audit detail: %w", err)
	}
	if len(b) > MaxAuditDetail {
		// still too long (many fields): keep its beginning as one string
		b, err = json.Marshal(map[string]any{"truncated": clip(string(b), MaxAuditDetailText)})
		if err != nil {
			return e, "", fmt.Errorf("audit detail: %w", err)
		}
	}
	return e, string(b), nil
}

// audit appends to the log inside the caller's transaction, so the entry and the change
// it records commit together.
func audit(ctx context.Context, conn execer, e AuditEntry) error {
	e, d, err := e.bounded()
	if err != nil {
		return err
	}
	var detail any
	if d != "" {
		detail = d
	}
	var m any
	if !e.Month.IsZero() {
		m = e.Month.Time()
	}
	if e.Actor == "" {
		e.Actor = "system"
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO audit_log SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit_log`,
		time.Now().UTC(), e.Actor, e.Action, nullString(e.Unit), m, detail, nullString(e.Peer))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Audit records an event that changes nothing else (a failed login, an export).
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.change(ctx, changesLog, func(conn *sql.Conn) error { return audit(ctx, conn, e) })
}

// SigninFailure counts the failed sign-ins from one client address in one minute: one
// record however many attempts, so what unauthenticated traffic can add to the database
// is bounded by addresses × minutes, and those are bounded too (see RecordSigninFailure).
type SigninFailure struct {
	Peer   string    `json:"peer"`
	Minute time.Time `json:"minute"`
	// Attempts were checked and failed: an unknown name, a wrong password, a disabled
	// user, or a name or password too long to belong to anyone.
	Attempts int64 `json:"attempts"`
	// Blocked were refused by the rate limit before any check; their names are not kept.
	Blocked int64 `json:"blocked"`
	// LastUsername is the last name tried in that minute, cut to MaxSigninName.
	LastUsername string `json:"last_username,omitempty"`
}

// Bounds of the failed sign-ins' table.
const (
	// MaxSigninName is how much of a tried name is kept, in characters.
	MaxSigninName = 64
	// MaxSigninPeersPerMinute is how many addresses one minute has rows for; further
	// addresses in that minute are counted together under the address "*".
	MaxSigninPeersPerMinute = 1000
	// MaxSigninFailureRows is how many rows are kept, the newest minutes; none is kept
	// longer than SigninFailureRetention.
	MaxSigninFailureRows   = 20000
	SigninFailureRetention = 90 * 24 * time.Hour
)

// signinPruned is, per store, the last minute the failed sign-ins were pruned in: at
// most once a minute, not on every attempt.
var signinPruned sync.Map // *Store → int64 (Unix minute)

// RecordSigninFailure counts a failed (or, with blocked, a rate-limited) sign-in from
// peer in the current minute, adding to that minute's record for the address.
func (s *Store) RecordSigninFailure(ctx context.Context, peer, username string, blocked bool) error {
	now := time.Now().UTC()
	minute := now.Truncate(time.Minute)
	peer = clip(peer, MaxAuditText)
	var name any
	if !blocked && username != "" {
		name = clip(username, MaxSigninName)
	}
	attempts, blocks := 1, 0
	if blocked {
		attempts, blocks = 0, 1
	}
	err := s.change(ctx, changesLog, func(conn *sql.Conn) error {
		if last, _ := signinPruned.Load(s); last != minute.Unix()/60 {
			if err := pruneSigninFailures(ctx, conn, now); err != nil {
				return err
			}
			signinPruned.Store(s, minute.Unix()/60)
		}
		var have, peers int
		err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE peer = ?), count(*) FROM signin_failures WHERE minute = ?`,
			peer, minute).Scan(&have, &peers)
		if err != nil {
			return err
		}
		if have == 0 && peers >= MaxSigninPeersPerMinute {
			peer = "*"
		}
		_, err = conn.ExecContext(ctx, `INSERT INTO signin_failures VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (peer, minute) DO UPDATE SET attempts = attempts + excluded.attempts,
			blocked = blocked + excluded.blocked, last_username = coalesce(excluded.last_username, last_username)`,
			peer, minute, attempts, blocks, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("record a failed sign-in: %w", err)
	}
	return nil
}

// pruneSigninFailures drops the records older than the retention, then all but the
// newest MaxSigninFailureRows.
func pruneSigninFailures(ctx context.Context, conn execer, now time.Time) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM signin_failures WHERE minute < ?`, now.Add(-SigninFailureRetention)); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `DELETE FROM signin_failures WHERE rowid IN (
		SELECT rowid FROM signin_failures ORDER BY minute DESC, attempts + blocked DESC OFFSET ?)`, MaxSigninFailureRows)
	return err
}

// SigninFailures lists the failed sign-ins' records since a time, newest first, at most
// limit of them (500 when limit is 0).
func (s *Store) SigninFailures(ctx context.Context, since time.Time, limit int) ([]SigninFailure, error) {
	if limit <= 0 || limit > MaxSigninFailureRows {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT peer, minute, attempts, blocked, coalesce(last_username, '')
		FROM signin_failures WHERE minute >= ? ORDER BY minute DESC, attempts + blocked DESC, peer LIMIT ?`, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("failed sign-ins: %w", err)
	}
	defer rows.Close()
	out := []SigninFailure{}
	for rows.Next() {
		var f SigninFailure
		if err := rows.Scan(&f.Peer, &f.Minute, &f.Attempts, &f.Blocked, &f.LastUsername); err != nil {
			return nil, fmt.Errorf("failed sign-ins: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// AuditFilter selects audit entries; empty fields match all.
type AuditFilter struct {
	Actor, Action, Unit string
	From, To            time.Time
	Limit               int // 500 when 0
	Offset              int
}

const auditWhere = `WHERE (? = '' OR actor = ?) AND (? = '' OR action = ?) AND (? = '' OR unit_code = ?)
	AND (?::TIMESTAMP IS NULL OR at_time >= ?::TIMESTAMP) AND (?::TIMESTAMP IS NULL OR at_time <= ?::TIMESTAMP)`

func (f AuditFilter) args() []any {
	var from, to any
	if !f.From.IsZero() {
		from = f.From.UTC()
	}
	if !f.To.IsZero() {
		to = f.To.UTC()
	}
	return []any{f.Actor, f.Actor, f.Action, f.Action, f.Unit, f.Unit, from, from, to, to}
}

// CountAudit counts the entries a filter selects, its limit aside.
func (s *Store) CountAudit(ctx context.Context, f AuditFilter) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log `+auditWhere, f.args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit log: %w", err)
	}
	return n, nil
}

// AuditLog lists entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at_time, actor, action, coalesce(unit_code, ''), month, coalesce(detail, ''), coalesce(peer, '')
		FROM audit_log `+auditWhere+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(f.args(), f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var m sql.NullTime
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Unit, &m, &detail, &e.Peer); err != nil {
			return nil, err
		}
		if m.Valid {
			e.Month = MonthOf(m.Time)
		}
		if detail != "" {
			if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
				// a detail written by hand or cut short: shown as the text it is
				e.Detail = map[string]any{"text": detail}
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
