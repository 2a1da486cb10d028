package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short stays", "admin", 10, "admin"},
		{"exact stays", "abcde", 5, "abcde"},
		{"long is cut with an ellipsis", "abcdef", 5, "abcd…"},
		{"characters, not bytes", "Đăng nhập sai", 6, "Đăng …"},
		{"multi-byte exactly n stays", "ĐĐĐ", 3, "ĐĐĐ"},
		{"invalid UTF-8 is not cut in two", "ab\xffcdefgh", 4, "ab\uFFFD…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := clip(tc.in, tc.n)
			if got != tc.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
			if utf8.RuneCountInString(got) > tc.n || !utf8.ValidString(got) {
				t.Errorf("clip(%q, %d) = %q: longer than %d or not UTF-8", tc.in, tc.n, got, tc.n)
			}
		})
	}
}

func TestAuditFieldsAreBounded(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	huge := strings.Repeat("x", 2<<20)
	many := map[string]any{}
	for i := 0; i < 100; i++ {
		many[strings.Repeat("k", 10)+string(rune('A'+i%26))+strings.Repeat("y", i)] = strings.Repeat("v", 3000)
	}
	detail := map[string]any{"name": huge, "list": []any{huge}}
	for _, tc := range []struct {
		name string
		e    AuditEntry
	}{
		{"every text field", AuditEntry{Actor: huge, Action: huge, Unit: huge, Peer: huge, Detail: detail}},
		{"a detail of many fields", AuditEntry{Actor: "a", Action: "b", Detail: many}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Audit(ctx, tc.e); err != nil {
				t.Fatal(err)
			}
			es, err := s.AuditLog(ctx, AuditFilter{Limit: 1})
			if err != nil || len(es) != 1 {
				t.Fatal(es, err)
			}
			e := es[0]
			for _, f := range []string{e.Actor, e.Action, e.Unit, e.Peer} {
				if utf8.RuneCountInString(f) > MaxAuditText {
					t.Errorf("a field of %d characters was stored", len(f))
				}
			}
			b, _ := json.Marshal(e.Detail)
			if len(b) > MaxAuditDetail+100 {
				t.Errorf("a detail of %d bytes was stored", len(b))
			}
			if e.Detail == nil {
				t.Error("the detail was dropped rather than cut")
			}
		})
	}
	if len(detail["name"].(string)) != 2<<20 {
		t.Error("the caller's detail was changed")
	}
}

func TestSigninFailuresAreOneRecordPerAddressAndMinute(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	long := strings.Repeat("ď", 5000)
	for i := 0; i < 50; i++ {
		if err := s.RecordSigninFailure(ctx, "192.0.2.1", long, i >= 40); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordSigninFailure(ctx, "192.0.2.2", "bob", false); err != nil {
		t.Fatal(err)
	}
	fs, err := s.SigninFailures(ctx, time.Now().Add(-time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	// a minute may turn between the calls: then one address has two records
	byPeer := map[string]SigninFailure{}
	for _, f := range fs {
		g := byPeer[f.Peer]
		g.Attempts += f.Attempts
		g.Blocked += f.Blocked
		if g.LastUsername == "" {
			g.LastUsername = f.LastUsername
		}
		byPeer[f.Peer] = g
	}
	if len(fs) > 3 || len(byPeer) != 2 {
		t.Fatalf("records: %+v", fs)
	}
	a := byPeer["192.0.2.1"]
	if a.Attempts != 40 || a.Blocked != 10 || utf8.RuneCountInString(a.LastUsername) != MaxSigninName {
		t.Errorf("192.0.2.1: %d attempts, %d blocked, last name of %d characters", a.Attempts, a.Blocked, utf8.RuneCountInString(a.LastUsername))
	}
	if b := byPeer["192.0.2.2"]; b.Attempts != 1 || b.LastUsername != "bob" {
		t.Errorf("192.0.2.2: %+v", b)
	}
}

func TestUserLimits(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, tc := range []struct{ name, user, pw string }{
		{"a name too long", strings.Repeat("n", MaxUsernameBytes+1), "mật khẩu đủ dài 2026"},
		{"a password bcrypt cannot hash", "long", strings.Repeat("p", 73)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.CreateUser(ctx, tc.user, tc.pw, RoleAnalyst, "", "test"); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateUser = %v, want ErrInvalid", err)
			}
		})
	}
	// the zero User (not found) never matches, whatever the password
	if (User{}).CheckPassword("") || (User{}).CheckPassword("anything") {
		t.Error("an unknown user's password matched")
	}
}

func TestSigninFailuresStayBounded(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	t.Run("addresses in one minute", func(t *testing.T) {
		for i := 0; i < MaxSigninPeersPerMinute+5; i++ {
			if err := s.RecordSigninFailure(ctx, fmt.Sprintf("2001:db8::%x", i), "x", false); err != nil {
				t.Fatal(err)
			}
		}
		// counted per minute: on a busy machine the minute may turn meanwhile, and the new
		// minute starts a new allowance
		var rows, total int64
		if err := s.db.QueryRowContext(ctx, `SELECT max(n), sum(a) FROM (SELECT minute, count(*) AS n, sum(attempts) AS a
			FROM signin_failures GROUP BY minute)`).Scan(&rows, &total); err != nil {
			t.Fatal(err)
		}
		// at most the allowance and one overflow record ("*") a minute, every attempt counted
		if rows > MaxSigninPeersPerMinute+1 || total != MaxSigninPeersPerMinute+5 {
			t.Errorf("%d records in a minute for %d attempts", rows, total)
		}
	})
	t.Run("records in all", func(t *testing.T) {
		now := time.Now().UTC()
		if _, err := s.db.ExecContext(ctx, `DELETE FROM signin_failures`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO signin_failures
			SELECT 'p' || i, ?::TIMESTAMP - INTERVAL (i) MINUTE, 1, 0, NULL FROM range(?) t(i)`, now, MaxSigninFailureRows+500); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO signin_failures VALUES ('old', ?, 1, 0, NULL)`, now.Add(-SigninFailureRetention-time.Hour)); err != nil {
			t.Fatal(err)
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := pruneSigninFailures(ctx, tx, now); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		var rows, old int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE peer = 'old') FROM signin_failures`).Scan(&rows, &old); err != nil {
			t.Fatal(err)
		}
		if rows != MaxSigninFailureRows || old != 0 {
			t.Errorf("%d records kept (%d past the retention), want %d", rows, old, MaxSigninFailureRows)
		}
	})
}
