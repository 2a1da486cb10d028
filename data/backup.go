package data

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Backup writes a consistent copy of the whole database into dir (which must not exist)
// with DuckDB's EXPORT DATABASE, after a checkpoint, while the store keeps serving. The
// copy holds password hashes: its folders are 0700 and its files 0600.
func (s *Store) Backup(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if strings.ContainsAny(abs, "'\x00") {
		return fmt.Errorf("%w: the folder may not contain a quote", ErrInvalid)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("%w: %s exists; back up into a new folder", ErrConflict, dir)
	}
	privateFiles()
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// no write between the checkpoint and the export
	return s.exclusive(func() error {
		if _, err := s.db.ExecContext(ctx, `CHECKPOINT`); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`EXPORT DATABASE '%s' (FORMAT PARQUET)`, abs)); err != nil {
			_ = os.RemoveAll(abs) // a half-written backup must not look whole
			return fmt.Errorf("backup: %w", err)
		}
		if err := makePrivate(abs); err != nil {
			_ = os.RemoveAll(abs) // a half-written backup must not look whole
			return fmt.Errorf("backup: %w", err)
		}
		return nil
	})
}

// makePrivate sets a folder's tree to 0700 folders and 0600 files, whatever the umask
// was when they were made.
func makePrivate(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o600)
		if d.IsDir() {
			mode = 0o700
		}
		return os.Chmod(p, mode)
	})
}

// Restore creates a new database file from a backup folder.
func Restore(ctx context.Context, from, to string) error {
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("%w: %s exists; restore into a new file", ErrConflict, to)
	}
	absFrom, err := filepath.Abs(from)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(absFrom, "schema.sql")); err != nil {
		return fmt.Errorf("%w: %s is not an egovkpi backup (no schema.sql)", ErrInvalid, from)
	}
	if strings.ContainsAny(absFrom, "'\x00") {
		return fmt.Errorf("%w: the folder may not contain a quote", ErrInvalid)
	}
	absTo, err := filepath.Abs(to)
	if err != nil {
		return err
	}
	privateFiles() // the new database holds the password hashes too
	connector, err := duckdb.NewConnector(absTo+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	if _, err := db.ExecContext(ctx, fmt.Sprintf(`IMPORT DATABASE '%s'`, absFrom)); err != nil {
		// a half-restored database must not look whole
		_ = db.Close()
		_ = os.Remove(absTo)
		_ = os.Remove(absTo + ".wal")
		return fmt.Errorf("restore: %w", err)
	}
	// closing checkpoints the restored database: its failure is the restore's
	if err := db.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
