package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egovkpi/egovkpi/data"
)

// TestLoadWhileWorking reads the leaderboard with 64 concurrent clients while the 34
// provinces' files are uploaded again and again and a dossier export is ingested: no
// read fails, and no read mixes two versions of a unit's report (every version keeps
// electronic documents at exactly half the total, so a mixed read would show it).
func TestLoadWhileWorking(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	s := startServer(t, false)
	units := data.Reference().InForce(data.Provinces, data.NewMonth(2026, 10))
	upload := func(v int) {
		for _, u := range units {
			total := 1000 + 2*v + len(u.Code)
			body := fmt.Sprintf("unit,period,docs_total,docs_electronic\n%s,2026-10,%d,%d\n", u.Code, total, total/2)
			if code, r := s.upload(t, "committee1", "", u.Code+".csv", []byte(body)); code != 201 {
				t.Errorf("upload %s v%d: %d %v", u.Code, v, code, r)
			}
		}
	}
	upload(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var lat []time.Duration
	var errs, mixed, reads atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for {
				select {
				case <-stop:
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
					return
				default:
				}
				req, _ := http.NewRequest("GET", s.url+"/api/v1/rankings?indicator=edoc_ratio&period=2026-10", nil)
				req.Header.Set("Authorization", "Bearer "+s.tok["analyst1"])
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				mine = append(mine, time.Since(start))
				reads.Add(1)
				if resp.StatusCode != 200 {
					errs.Add(1)
					continue
				}
				var r struct {
					Rows []struct {
						UnitCode    string   `json:"unit_code"`
						Value       *float64 `json:"value"`
						Numerator   *int64   `json:"numerator"`
						Denominator *int64   `json:"denominator"`
					}
				}
				if err := json.Unmarshal(b, &r); err != nil {
					errs.Add(1) // a reader goroutine: counted, not Fatal
					continue
				}
				for _, row := range r.Rows {
					if row.Numerator != nil && *row.Numerator != *row.Denominator/2 {
						mixed.Add(1)
					}
				}
			}
		}()
	}
	dossiers := dossierHeadE2E
	for i := 0; i < 2000; i++ {
		dossiers += fmt.Sprintf("L%d,79,P1,online,2026-09-%02d 08:00:00,2026-09-28 17:00:00,2026-09-20 10:00:00,true,false,false,satisfied\n", i, 1+i%27)
	}
	for v := 2; v <= 4; v++ {
		upload(v)
		if v == 3 {
			body, ct := multipartBody("dossiers.csv", []byte(dossiers))
			if code, b := s.do(t, "POST", "/api/v1/submissions", "committee1", body, "Content-Type", ct); code != 201 {
				t.Errorf("dossier upload through the API: %d %s", code, b)
			}
		}
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration { return lat[int(float64(len(lat)-1)*q)] }
	t.Logf("%d reads by 64 clients during 3 × 34 uploads: p50 %s, p99 %s, %d errors, %d mixed reads",
		reads.Load(), p(0.5).Round(time.Microsecond), p(0.99).Round(time.Microsecond), errs.Load(), mixed.Load())
	if errs.Load() != 0 || mixed.Load() != 0 || reads.Load() < 100 {
		t.Errorf("errors %d, mixed %d, reads %d", errs.Load(), mixed.Load(), reads.Load())
	}
}

const dossierHeadE2E = "dossier_id,unit_code,procedure_code,channel,received_at,due_at,resolved_at,digitized,fee_required,paid_online,rating\n"
