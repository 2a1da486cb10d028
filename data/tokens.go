package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

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
