package swarm

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"twinbook/internal/flakypb"
)

// Kind runs one task: ctx carries the task's deadline and ends when the
// coordinator cancels it; a kind stops when ctx does. An error that is a
// gRPC status keeps its code in the Result; any other error is UNKNOWN.
type Kind func(ctx context.Context, taskID string, input []byte) ([]byte, error)

// MaxSleep bounds the sleep kind's input: a task is not a way to park a worker for a day.
const MaxSleep = time.Hour

// Square parses input as a decimal integer and returns its square, in decimal.
func Square(_ context.Context, _ string, input []byte) ([]byte, error) {
	n, err := strconv.ParseInt(string(input), 10, 32)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "square: input %q is not a 32-bit decimal integer", input)
	}
	return []byte(strconv.FormatInt(n*n, 10)), nil
}

// Sleep waits for input milliseconds, or until ctx ends.
func Sleep(ctx context.Context, _ string, input []byte) ([]byte, error) {
	ms, err := strconv.ParseInt(string(input), 10, 64)
	if err != nil || ms < 0 || ms > MaxSleep.Milliseconds() {
		return nil, status.Errorf(codes.InvalidArgument, "sleep: input %q is not milliseconds in [0, %d]", input, MaxSleep.Milliseconds())
	}
	timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer timer.Stop()
	select {
	case <-timer.C:
		return []byte("slept " + string(input)), nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// docs:start flaky-kind

// Flaky returns the flaky kind: one call to the flaky.v1 service through
// client, whose connection goes through the worker's breaker. input is the
// call's delay_ms (empty: 0). ctx is the task's: gRPC-Go carries its
// deadline and its cancellation on to the call by itself.
func Flaky(client flakypb.FlakyClient) Kind {
	return func(ctx context.Context, taskID string, input []byte) ([]byte, error) {
		var delay int64
		if len(input) > 0 {
			d, err := strconv.ParseInt(string(input), 10, 64)
			if err != nil || d < 0 {
				return nil, status.Errorf(codes.InvalidArgument,
					"flaky: input %q is not a delay in milliseconds", input)
			}
			delay = d
		}
		req := &flakypb.CallRequest{Payload: taskID, DelayMs: delay}
		resp, err := client.Call(ctx, req)
		if err != nil {
			return nil, err
		}
		served := strconv.FormatInt(resp.GetServed(), 10)
		return []byte(resp.GetPayload() + " served " + served), nil
	}
}

// docs:end flaky-kind
