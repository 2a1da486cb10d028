package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

// A list that grows with use says how many items there are and where the next page is:
// following the next links reads every submission once (the list used to stop at 1,000
// without saying so).
func TestSubmissionsArePaged(t *testing.T) {
	s := startServer(t, false)
	for i := 1; i <= 5; i++ {
		body := []byte(fmt.Sprintf("unit,period,dossiers_received\n01,2026-%02d,%d\n", i, 100+i))
		if code, r := s.upload(t, "officer01", "", fmt.Sprintf("bc-%d.csv", i), body); code != 201 {
			t.Fatalf("upload %d: %d %v", i, code, r)
		}
	}
	seen := map[int64]bool{}
	next, pages := "/api/v1/submissions?unit=01&limit=2", 0
	for next != "" && pages < 10 {
		var got struct {
			Submissions []data.Submission
			Page        struct {
				Total, Limit, Offset int
				Next                 string
			}
		}
		s.getJSON(t, next, 200, &got)
		if got.Page.Total != 5 || len(got.Submissions) > 2 {
			t.Fatalf("%s: %+v", next, got.Page)
		}
		for _, sub := range got.Submissions {
			if seen[sub.ID] {
				t.Errorf("submission %d twice", sub.ID)
			}
			seen[sub.ID] = true
		}
		next, pages = got.Page.Next, pages+1
	}
	if len(seen) != 5 || pages != 3 {
		t.Errorf("read %d submissions in %d pages", len(seen), pages)
	}
	for _, bad := range []string{"limit=0", "limit=5000", "offset=-1", "limit=x"} {
		if code, b := s.do(t, "GET", "/api/v1/submissions?"+bad, "committee1", nil); code != 400 || !strings.Contains(string(b), "limit") && !strings.Contains(string(b), "offset") {
			t.Errorf("%s: %d %s", bad, code, b)
		}
	}
}

// The audit log pages the same way, on the API and on its page (it used to be one page of
// tens of megabytes).
func TestAuditIsPaged(t *testing.T) {
	s := startServer(t, false)
	for i := 1; i <= 3; i++ {
		s.upload(t, "officer01", "", fmt.Sprintf("bc-%d.csv", i), []byte(fmt.Sprintf("unit,period,dossiers_received\n01,2026-%02d,%d\n", i, i)))
	}
	var total int
	seen := map[int64]bool{}
	for next, n := "/api/v1/audit?action=upload&limit=2", 0; next != "" && n < 5; n++ {
		var got struct {
			Entries []data.AuditEntry
			Page    struct {
				Total int
				Next  string
			}
		}
		getJSONAs(t, s, next, "admin1", 200, &got)
		for _, e := range got.Entries {
			seen[e.ID] = true
		}
		total, next = got.Page.Total, got.Page.Next
	}
	if total != 3 || len(seen) != 3 {
		t.Errorf("upload attempts: %d listed of %d", len(seen), total)
	}
	_, page := s.do(t, "GET", "/audit?limit=2", "admin1", nil)
	if !strings.Contains(string(page), `id="pager"`) || !strings.Contains(string(page), `rel="next"`) {
		t.Error("the audit page has no pager")
	}
}
