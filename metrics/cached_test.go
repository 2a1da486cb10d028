package metrics

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCachedSharesOneComputation: readers asking at once for a figure not yet kept wait
// for one computation instead of each making it; a computation whose request ended
// (its context cancelled) is made again by the next reader, not handed on as an error.
func TestCachedSharesOneComputation(t *testing.T) {
	f := newFixture(t, nil)
	var calls atomic.Int32
	release := make(chan struct{})
	slow := func() (int, error) {
		calls.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	got := make([]int, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = cached(f.eng, "answer", slow)
		}()
	}
	time.Sleep(100 * time.Millisecond) // let them all ask
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d computations for 16 readers, want 1", n)
	}
	for i, v := range got {
		if v != 42 {
			t.Errorf("reader %d got %d", i, v)
		}
	}

	t.Run("the first reader's request ends", func(t *testing.T) {
		started, release := make(chan struct{}), make(chan struct{})
		first := func() (int, error) {
			close(started)
			<-release
			return 0, context.Canceled
		}
		errc := make(chan error, 1)
		go func() { _, err := cached(f.eng, "other", first); errc <- err }()
		<-started
		var second int
		var err error
		done := make(chan struct{})
		go func() {
			second, err = cached(f.eng, "other", func() (int, error) { return 7, nil })
			close(done)
		}()
		time.Sleep(50 * time.Millisecond)
		close(release)
		<-done
		if e := <-errc; !errors.Is(e, context.Canceled) || err != nil || second != 7 {
			t.Errorf("first %v; second %d, %v (want 7, nil)", e, second, err)
		}
	})
}
