package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

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
