package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// get sends a GET as user with the given headers and returns the response with its body
// as sent (not decompressed).
func (s *server) get(t *testing.T, path, user string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tok[user])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// a Transport that adds no Accept-Encoding of its own and decompresses nothing
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The leaderboard and the rankings are kept whole and compressed until the data changes:
// the same bytes gzipped or not, 304 for a known ETag, each reader's own page, and a new
// answer at once after an upload.
func TestKeptResponses(t *testing.T) {
	s := startServer(t, true)
	const rankings = "/api/v1/rankings?indicator=online_dossier_rate&period=2026-10&group=provinces"
	const board = "/?indicator=online_dossier_rate&period=2026-10&group=provinces"
	value01 := func(body []byte) float64 {
		var r struct {
			Rows []struct {
				UnitCode string   `json:"unit_code"`
				Value    *float64 `json:"value"`
			} `json:"rows"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("%v: %.200s", err, body)
		}
		for _, row := range r.Rows {
			if row.UnitCode == "01" && row.Value != nil {
				return *row.Value
			}
		}
		t.Fatalf("no value for 01 in %.300s", body)
		return 0
	}

	type seen struct{ etag string }
	before := map[string]seen{}
	for _, tc := range []struct{ name, path, user, ctype string }{
		{"rankings", rankings, "committee1", "application/json"},
		{"leaderboard", board, "analyst1", "text/html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gz, zb := s.get(t, tc.path, tc.user, "Accept-Encoding", "gzip, deflate, br")
			if gz.StatusCode != 200 || gz.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(gz.Header.Get("Content-Type"), tc.ctype) {
				t.Fatalf("gzip: %d %v", gz.StatusCode, gz.Header)
			}
			plain, pb := s.get(t, tc.path, tc.user)
			if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(gunzip(t, zb), pb) {
				t.Fatalf("the plain answer differs from the gzipped one (%d vs %d bytes)", len(pb), len(zb))
			}
			if !strings.Contains(plain.Header.Get("Vary"), "Accept-Encoding") || plain.Header.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("headers: %v", plain.Header)
			}
			again, _ := s.get(t, tc.path, tc.user, "Accept-Encoding", "gzip", "If-None-Match", gz.Header.Get("ETag"))
			if gz.Header.Get("ETag") == "" || again.StatusCode != http.StatusNotModified {
				t.Fatalf("If-None-Match %q: %d", gz.Header.Get("ETag"), again.StatusCode)
			}
			refused, rb := s.get(t, tc.path, tc.user, "Accept-Encoding", "gzip;q=0")
			if refused.Header.Get("Content-Encoding") != "" || !bytes.Equal(rb, pb) {
				t.Errorf("gzip;q=0 was answered with %q", refused.Header.Get("Content-Encoding"))
			}
			before[tc.name] = seen{gz.Header.Get("ETag")}
		})
	}

	// each reader sees its own name in the page kept for it
	_, a := s.get(t, board, "analyst1")
	_, c := s.get(t, board, "committee1")
	if !bytes.Contains(a, []byte("analyst1")) || bytes.Contains(a, []byte("committee1")) || !bytes.Contains(c, []byte("committee1")) {
		t.Fatal("a kept page was shown to another reader")
	}
	// anonymous readers are not given a kept page
	if r, _ := s.get(t, board, ""); r.StatusCode == 200 {
		t.Fatalf("anonymous leaderboard: %d", r.StatusCode)
	}

	_, rb := s.get(t, rankings, "committee1")
	old := value01(rb)
	code, out := s.upload(t, "officer01", "", "hn.csv", []byte("Mã đơn vị,Kỳ báo cáo,Số hồ sơ tiếp nhận,Số hồ sơ tiếp nhận trực tuyến\n01,2026-10,1000,999\n"))
	if code != 201 {
		t.Fatalf("upload: %d %v", code, out)
	}
	resp, nb := s.get(t, rankings, "committee1")
	if now := value01(nb); now != 99.9 || now == old || resp.Header.Get("ETag") == before["rankings"].etag {
		t.Fatalf("after the upload: 01 = %v (was %v), ETag %s", now, old, resp.Header.Get("ETag"))
	}
	resp, page := s.get(t, board, "analyst1", "If-None-Match", before["leaderboard"].etag)
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte("99,9")) {
		t.Fatalf("the leaderboard after the upload: %d, 99,9 shown: %v", resp.StatusCode, bytes.Contains(page, []byte("99,9")))
	}
}
