package dashboard

import (
	"testing"

	"github.com/egovkpi/egovkpi/data"
)

func TestKeepProcedures(t *testing.T) {
	kept := data.LateDossiers{Procedures: make([]data.LateByProcedure, 25)}
	for _, tc := range []struct{ n, len, more int }{{10, 10, 15}, {20, 20, 5}, {30, 25, 0}} {
		late := kept // a page's copy of the kept answer
		if more := keepProcedures(&late, tc.n); more != tc.more || len(late.Procedures) != tc.len {
			t.Errorf("keep %d: %d left, %d more; want %d, %d", tc.n, len(late.Procedures), more, tc.len, tc.more)
		}
		if len(kept.Procedures) != 25 {
			t.Fatalf("the kept answer lost procedures: %d", len(kept.Procedures))
		}
	}
}
