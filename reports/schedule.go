package reports

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/egovkpi/egovkpi/data"
	"github.com/egovkpi/egovkpi/metrics"
)

// ScheduleKey is the setting that holds the monthly workbook's cron schedule.
const ScheduleKey = "report_schedule"

// Settings stores the schedule; *data.Store is one.
type Settings interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value, actor string) error
	Coverage(ctx context.Context) (data.Coverage, error)
}

// Scheduler writes the month's workbooks into a folder on a cron schedule, in Viet Nam
// time. It runs inside serve, the one process that holds the database.
type Scheduler struct {
	Dir      string
	Metrics  Metrics
	Settings Settings
	Log      *slog.Logger
	mu       sync.Mutex
	cron     *cron.Cron
	entry    cron.EntryID
	spec     string
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule checks a cron expression ("0 7 11 * *": 07:00 on the 11th).
func ParseSchedule(spec string) error {
	if _, err := cronParser.Parse(spec); err != nil {
		return fmt.Errorf("%w: schedule %q: %v (five fields: minute hour day month weekday, e.g. \"0 7 11 * *\")", data.ErrInvalid, spec, err)
	}
	return nil
}

// Start loads the saved schedule and starts the clock.
func (s *Scheduler) Start(ctx context.Context) error {
	s.cron = cron.New(cron.WithLocation(data.VietnamTime()), cron.WithParser(cronParser))
	s.cron.Start()
	spec, err := s.Settings.Setting(ctx, ScheduleKey)
	if err != nil {
		return err
	}
	if spec != "" {
		return s.set(spec)
	}
	return nil
}

// Stop waits for a running job and stops.
func (s *Scheduler) Stop() {
	if s.cron != nil {
		<-s.cron.Stop().Done()
	}
}

// Schedule returns the schedule in force ("" for none) and the next run.
func (s *Scheduler) Schedule() (string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.spec == "" {
		return "", time.Time{}
	}
	return s.spec, s.cron.Entry(s.entry).Next
}

// SetSchedule saves a new schedule ("" turns it off) and applies it now.
func (s *Scheduler) SetSchedule(ctx context.Context, spec, actor string) error {
	spec = strings.TrimSpace(spec)
	if spec != "" {
		if err := ParseSchedule(spec); err != nil {
			return err
		}
	}
	if err := s.Settings.SetSetting(ctx, ScheduleKey, spec, actor); err != nil {
		return err
	}
	return s.set(spec)
}

func (s *Scheduler) set(spec string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entry != 0 {
		s.cron.Remove(s.entry)
		s.entry = 0
	}
	s.spec = spec
	if spec == "" {
		return nil
	}
	id, err := s.cron.AddFunc(spec, func() {
		if _, err := s.RunNow(context.Background()); err != nil {
			s.Log.Error("scheduled report failed", "err", err)
		}
	})
	s.entry = id
	return err
}

// RunNow writes the workbooks of each group's last closed month.
func (s *Scheduler) RunNow(ctx context.Context) ([]string, error) {
	cov, err := s.Settings.Coverage(ctx)
	if err != nil {
		return nil, err
	}
	if cov.LastMonth.IsZero() {
		return nil, fmt.Errorf("%w: no data to report", data.ErrNotFound)
	}
	// beside the database, and as private as it: the workbooks hold every unit's figures
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, err
	}
	changed := time.Time{}
	if cov.LastChange != nil {
		changed = *cov.LastChange
	}
	var written []string
	for _, g := range []data.Group{data.Provinces, data.Ministries} {
		// each group's last closed month, as the pages show by default
		m, err := s.Metrics.DefaultMonth(ctx, g)
		if err != nil {
			return written, err
		}
		b, err := Monthly(ctx, s.Metrics, Options{Period: data.MonthPeriod(m), Group: g, Boundaries: metrics.Current,
			Author: "egovkpi (lịch tự động)", DataChanged: changed})
		if err != nil {
			return written, err
		}
		name := fmt.Sprintf("xep-hang-%s-%s.xlsx", g, m)
		tmp := filepath.Join(s.Dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			return written, err
		}
		if err := os.Rename(tmp, filepath.Join(s.Dir, name)); err != nil {
			return written, err
		}
		written = append(written, name)
		if s.Log != nil {
			s.Log.Info("report written", "file", name, "bytes", len(b))
		}
	}
	return written, nil
}

// File is a written report.
type File struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	Written time.Time `json:"written"`
}

// Files lists the reports folder, newest first.
func (s *Scheduler) Files() ([]File, error) {
	ents, err := os.ReadDir(s.Dir)
	if os.IsNotExist(err) {
		return []File{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []File{}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".xlsx") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, File{Name: e.Name(), Size: info.Size(), Written: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Written.After(out[j].Written) })
	return out, nil
}

// Path returns a report's path, refusing names that leave the folder.
func (s *Scheduler) Path(name string) (string, error) {
	if name != filepath.Base(name) || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".xlsx") {
		return "", fmt.Errorf("%w: no report %q", data.ErrNotFound, name)
	}
	p := filepath.Join(s.Dir, name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: no report %q", data.ErrNotFound, name)
	}
	return p, nil
}
