package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

func TestServeWithSources(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			fmt.Fprint(w, `[{"unit":"01","period":"2026-10","docs_total":10,"docs_electronic":9}]`)
			return
		}
		http.Error(w, "down", 500)
	}))
	defer api.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "sources.toml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf("[[source]]\nname = \"hanoi\"\nkind = \"http\"\nurl = %q\nallow_private = true\nformat = \"json\"\nretries = 1\n", api.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "s.duckdb")
	tok := makeUsers(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeConfig{Addr: "127.0.0.1:0", DB: db, Sources: file, SourcesRoot: dir, Ready: ready}.Run(ctx, io.Discard, io.Discard)
	}()
	s := &server{url: "http://" + <-ready, db: db, tok: tok}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	code, b := s.do(t, "POST", "/api/v1/sources/hanoi/run", "admin1", nil)
	if code != 200 || !strings.Contains(string(b), `"outcome":"ok"`) {
		t.Fatalf("run: %d %s", code, b)
	}
	_, page := s.do(t, "GET", "/", "admin1", nil)
	if bytes.Contains(page, []byte(`id="failing"`)) {
		t.Error("a red mark while every source is fine")
	}
	code, b = s.do(t, "POST", "/api/v1/sources/hanoi/run", "admin1", nil)
	if code != 200 || !strings.Contains(string(b), `"outcome":"failed"`) {
		t.Fatalf("failing run: %d %s", code, b)
	}
	_, page = s.do(t, "GET", "/", "admin1", nil)
	if !bytes.Contains(page, []byte(`id="failing"`)) {
		t.Error("no red mark for the admin while a source fails")
	}
	_, page = s.do(t, "GET", "/", "committee1", nil)
	if bytes.Contains(page, []byte(`id="failing"`)) {
		t.Error("the red mark is for admins")
	}
	var runs struct{ Runs []data.Run }
	getJSONAs(t, s, "/api/v1/ingest/runs", "admin1", 200, &runs)
	if len(runs.Runs) != 2 || runs.Runs[0].Outcome != "failed" || runs.Runs[1].Rows != 1 {
		t.Errorf("runs: %+v", runs.Runs)
	}
	// an admin edits the sources: a bad one is refused, a good one is in force at once
	code, b = s.do(t, "PUT", "/api/v1/sources", "admin1", strings.NewReader("[[source]]\nname = \"x\"\nkind = \"ftp\"\n"))
	if code != 400 || !strings.Contains(string(b), "ftp") {
		t.Errorf("a bad source: %d %s", code, b)
	}
	if err := os.Mkdir(filepath.Join(dir, "drop"), 0o755); err != nil {
		t.Fatal(err)
	}
	edited := fmt.Sprintf("[[source]]\nname = \"hanoi\"\nkind = \"http\"\nurl = %q\nallow_private = true\nformat = \"json\"\n\n[[source]]\nname = \"drop\"\nkind = \"folder\"\npath = %q\n", api.URL, filepath.Join(dir, "drop"))
	if code, b := s.do(t, "PUT", "/api/v1/sources", "admin1", strings.NewReader(edited)); code != 200 {
		t.Fatalf("edit: %d %s", code, b)
	}
	if code, b := s.do(t, "POST", "/api/v1/sources/drop/run", "admin1", nil); code != 200 || !strings.Contains(string(b), `"outcome":"ok"`) {
		t.Errorf("the new source: %d %s", code, b)
	}
	var a struct{ Entries []data.AuditEntry }
	getJSONAs(t, s, "/api/v1/audit?action=setting", "admin1", 200, &a)
	if len(a.Entries) != 1 || a.Entries[0].Detail["key"] != "sources" {
		t.Errorf("the edit is not in the audit log: %+v", a.Entries)
	}
	if code, _ := s.do(t, "PUT", "/api/v1/sources", "committee1", strings.NewReader(edited)); code != 403 {
		t.Errorf("the committee edited the sources: %d", code)
	}
}
