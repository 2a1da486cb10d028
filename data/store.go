package data

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the one DuckDB file that holds everything. Only one process may hold it.
type Store struct {
	db      *sql.DB
	path    string
	ref     *Registry
	version atomic.Int64 // bumped on every write, so caches know when to drop results
	writeMu sync.Mutex   // one writer at a time inside this process
	creds   credCache    // who sessions and tokens are; cleared on every accounts write
	files   string       // where the kept files of this database are
	pending pendingDossiers
	// longFacts says dossiers_long holds the long dossiers with this build's packed facts
	// (set at open: refreshLongDossiers)
	longFacts bool
}

// openPaths guards against two Stores on one file inside one process: DuckDB's file lock
// is per process, so it would not stop them.
var openPaths sync.Map

// Options change how a Store is opened.
type Options struct {
	ReadOnly bool
	// Registry replaces the embedded reference units (benchmarks use Registry.Scaled).
	Registry *Registry
}

var rePID = regexp.MustCompile(`PID (\d+)`)

// Open opens (creating if needed) the database file and brings its schema up to date.
func Open(ctx context.Context, path string, opts ...Options) (*Store, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, loaded := openPaths.LoadOrStore(abs, true); loaded {
		return nil, fmt.Errorf("%w: %s is already open in this process", ErrLocked, path)
	}
	// No internet here: a blocked extension download costs time on every query that
	// would trigger one, so autoloading is off; parquet, json and icu are built in.
	dsn := abs + "?autoinstall_known_extensions=false&autoload_known_extensions=false"
	if o.ReadOnly {
		dsn += "&access_mode=READ_ONLY"
	} else {
		privateFiles()
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		openPaths.Delete(abs)
		return nil, openError(path, strings.TrimSuffix(abs, filepath.Ext(abs))+".files", err)
	}
	db := sql.OpenDB(connector)
	s := &Store{db: db, path: abs, ref: Reference()}
	s.files = strings.TrimSuffix(abs, filepath.Ext(abs)) + ".files"
	if o.Registry != nil {
		s.ref = o.Registry
	}
	if err := db.PingContext(ctx); err != nil {
		_ = s.Close() // the open's error says what went wrong
		return nil, openError(path, s.files, err)
	}
	if o.ReadOnly {
		if err := s.schemaCurrent(ctx); err != nil {
			_ = s.Close() // the check's error says what to do
			return nil, err
		}
	} else {
		// a file made before files were private, or copied in, becomes private too
		for _, f := range []string{abs, abs + ".wal"} {
			if err := os.Chmod(f, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
				_ = s.Close()
				return nil, fmt.Errorf("make %s private: %w", f, err)
			}
		}
		if err := s.migrate(ctx); err != nil {
			_ = s.Close()
			return nil, err
		}
		if err := s.syncUnits(ctx); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	if err := s.sweepPendingDossiers(ctx, o.ReadOnly); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.refreshLongDossiers(ctx, o.ReadOnly); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// privateFiles makes every file and folder this process creates from now on readable by
// its own user only (umask 077, files 0600, folders 0700). The database holds password
// hashes and figures not yet published, and DuckDB creates its WAL whenever it needs one,
// with the process's umask: no chmod after the fact would cover it. Kept files, backups
// and scheduled workbooks written beside the database are covered alike.
func privateFiles() {
	old := syscall.Umask(0o077)
	syscall.Umask(old | 0o077)
}

// openError says what to do about a file that cannot be opened: another process holds
// it, or it is damaged and can be rebuilt from the kept files.
func openError(path, files string, err error) error {
	if e := lockError(path, err); errors.Is(e, ErrLocked) {
		return e
	}
	msg := err.Error()
	if strings.Contains(msg, "not a valid DuckDB database") || strings.Contains(msg, "Corrupt") || strings.Contains(msg, "corrupt") ||
		strings.Contains(msg, "checksum") || strings.Contains(msg, "Serialization") || strings.Contains(msg, "unsupported") {
		return fmt.Errorf("%s is damaged (%v); nothing was changed. Rebuild it from the kept files: egovkpi rebuild --from %s --db NEW.duckdb, then serve NEW.duckdb", path, err, files)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

func lockError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		pid := "unknown"
		if g := rePID.FindStringSubmatch(msg); g != nil {
			pid = g[1]
		}
		return fmt.Errorf("%w: %s is in use by another egovkpi process (pid %s): upload through the running server, or stop it first", ErrLocked, filepath.Base(path), pid)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// Close releases the file.
func (s *Store) Close() error {
	openPaths.Delete(s.path)
	return s.db.Close()
}

// Path is the database file's absolute path.
func (s *Store) Path() string { return s.path }

// Units is the reference registry the store was opened with.
func (s *Store) Units() *Registry { return s.ref }

// DataVersion changes whenever data changes; results computed at one version stay valid
// until it moves.
func (s *Store) DataVersion() int64 { return s.version.Load() }

// schemaCurrent refuses to read a file whose schema is older than this build's: a store
// that may not write cannot bring it up to date, and its readers would fail on tables and
// columns the file does not have yet (migration 025 renamed the dossiers' export column).
func (s *Store) schemaCurrent(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	var tables, applied int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'`).Scan(&tables); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if tables > 0 {
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	if applied < len(names) {
		return Errorf(ErrInvalid, "Tệp %s do một bản egovkpi cũ hơn ghi (%d/%d bước cập nhật cấu trúc): mở nó một lần để ghi (egovkpi serve, hoặc một lệnh có ghi) để cập nhật, rồi đọc lại",
			"%s was written by an older egovkpi (%d of %d schema steps): open it once to write (egovkpi serve, or a command that writes) to bring it up to date, then read it",
			filepath.Base(s.path), applied, len(names))
	}
	return nil
}

// migrationNames lists the embedded migrations in the order they apply.
func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrationsFS, "migrations/*.sql")
	sort.Strings(names)
	return names, err
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := migrationNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		base := filepath.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		var done int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, n).Scan(&done); err != nil {
			return err
		}
		if done > 0 {
			continue
		}
		body, err := migrationsFS.ReadFile(name)
		if err != nil {
			return err
		}
		// each migration in one transaction, at open, before anything else writes
		err = s.withConn(ctx, func(conn *sql.Conn) error {
			if _, err := conn.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := conn.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, ?)`, n, base, time.Now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// AppliedMigrations lists the migrations recorded in the database, in order.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func nullMonth(m Month) any {
	if m.IsZero() {
		return nil
	}
	return m.Time()
}

func (s *Store) syncUnits(ctx context.Context) error {
	return s.withConn(ctx, func(tx *sql.Conn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM units`); err != nil {
			return err
		}
		for _, u := range s.ref.units {
			if _, err := tx.ExecContext(ctx, `INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				u.Code, nullMonth(u.ValidFrom), nullMonth(u.ValidTo), u.NameVI, u.NameEN, u.Type, string(u.Group),
				u.Successor, s.ref.Current(u.Code)); err != nil {
				return fmt.Errorf("units: %w", err)
			}
		}
		return nil
	})
}

// withConn runs f on one connection inside one transaction, so that Appender writes
// and plain statements commit or roll back together.
func (s *Store) withConn(ctx context.Context, f func(*sql.Conn) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	// Close returns the connection to the pool; the transaction's outcome is err
	defer func() { _ = conn.Close() }()
	return inTx(ctx, conn, f, nil)
}

// inTx runs f inside one transaction on conn: committed if f returns nil, else (or if it
// panics) rolled back. commit, when set, runs the COMMIT itself (given the function that
// does it), so that something can happen exactly around it (see pendingDossiers).
func inTx(ctx context.Context, conn *sql.Conn, f func(*sql.Conn) error, commit func(do func() error) error) (err error) {
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_, _ = conn.ExecContext(context.Background(), `ROLLBACK`) // the panic goes on either way
			panic(p)
		}
		if err != nil {
			_, rerr := conn.ExecContext(context.Background(), `ROLLBACK`)
			err = errors.Join(err, rerr)
			return
		}
		do := func() error { _, err := conn.ExecContext(ctx, `COMMIT`); return err }
		if commit != nil {
			err = commit(do)
		} else {
			err = do()
		}
		if err != nil {
			_, rerr := conn.ExecContext(context.Background(), `ROLLBACK`)
			err = errors.Join(err, rerr)
		}
	}()
	return f(conn)
}

func appendRows(ctx context.Context, conn *sql.Conn, table string, rows func(a *duckdb.Appender) error) error {
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(*duckdb.Conn), "", table)
		if err != nil {
			return fmt.Errorf("appender %s: %w", table, err)
		}
		if err := rows(a); err != nil {
			return errors.Join(err, a.Close())
		}
		return a.Close()
	})
}
