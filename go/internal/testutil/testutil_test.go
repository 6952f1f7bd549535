package testutil_test

import (
	"net"
	"sync"
	"testing"

	"twinbook/internal/testutil"
)

func TestGauge(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		want    int64
	}{
		{"one at a time", 1, 1},
		{"all together", 8, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g testutil.Gauge
			var in, out sync.WaitGroup
			release := make(chan struct{})
			in.Add(tt.workers)
			for range tt.workers {
				out.Add(1)
				go func() {
					defer out.Done()
					g.Enter()
					in.Done()
					<-release
					g.Exit()
				}()
			}
			in.Wait()
			if got := g.Running(); got != tt.want {
				t.Errorf("Running() = %d with every worker in, want %d", got, tt.want)
			}
			close(release)
			out.Wait()
			if got := g.Peak(); got != tt.want {
				t.Errorf("Peak() = %d, want %d", got, tt.want)
			}
			if got := g.Running(); got != 0 {
				t.Errorf("Running() = %d after every worker left, want 0", got)
			}
		})
	}
}

func TestLoopback(t *testing.T) {
	lis := testutil.Loopback(t)
	addr := lis.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() || addr.Port == 0 {
		t.Fatalf("listening on %v, want a loopback address with a port", addr)
	}
	accepted := make(chan error, 1)
	go func() {
		c, err := lis.Accept()
		if err == nil {
			_ = c.Close()
		}
		accepted <- err
	}()
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if err := <-accepted; err != nil {
		t.Fatal(err)
	}
}
