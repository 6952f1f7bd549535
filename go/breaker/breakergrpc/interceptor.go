// Package breakergrpc puts a circuit breaker in front of a gRPC client:
// [UnaryClientInterceptor] and [StreamClientInterceptor] ask the breaker
// before every call and tell it how the call ended, by status code. By
// default the codes that say the server or the network is in trouble
// ([DefaultFailureCodes]: Unavailable, Internal, Unknown, DeadlineExceeded,
// ResourceExhausted, DataLoss) are failures, and every other code,
// InvalidArgument or NotFound say, is a success: the server answered.
// Canceled is ignored: the caller gave up, which says nothing about the
// server. (DeadlineExceeded is a failure, even when the deadline was the
// caller's: the server was too slow for it.)
//
// A refused call fails with status code Unavailable; the error also matches
// breaker.ErrOpen (errors.Is) and holds the [*breaker.OpenError]
// (errors.As).
package breakergrpc

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"twinbook/breaker"
)

// DefaultFailureCodes are the status codes that count as failures unless
// [WithFailureCodes] says otherwise.
var DefaultFailureCodes = []codes.Code{
	codes.Unavailable, codes.Internal, codes.Unknown,
	codes.DeadlineExceeded, codes.ResourceExhausted, codes.DataLoss,
}

// Option changes how an interceptor classifies calls.
type Option func(*options)

type options struct {
	failures map[codes.Code]bool
	classify func(ctx context.Context, err error) breaker.Outcome
}

// WithFailureCodes replaces DefaultFailureCodes.
func WithFailureCodes(cs ...codes.Code) Option {
	return func(o *options) {
		o.failures = make(map[codes.Code]bool, len(cs))
		for _, c := range cs {
			o.failures[c] = true
		}
	}
}

// WithClassifier replaces the classification by status code altogether.
func WithClassifier(classify func(ctx context.Context, err error) breaker.Outcome) Option {
	return func(o *options) { o.classify = classify }
}

func newOptions(opts []Option) *options {
	o := new(options)
	WithFailureCodes(DefaultFailureCodes...)(o)
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// outcome classifies a finished call: nil is a success; Canceled (the
// caller gave up) is ignored; otherwise the status code decides.
func (o *options) outcome(ctx context.Context, err error) breaker.Outcome {
	if o.classify != nil {
		return o.classify(ctx, err)
	}
	if err == nil {
		return breaker.Success
	}
	code := status.Code(err)
	if code == codes.Canceled || errors.Is(err, context.Canceled) {
		return breaker.Ignored
	}
	if o.failures[code] {
		return breaker.Failure
	}
	return breaker.Success
}

// docs:start grpc-interceptor

// UnaryClientInterceptor runs every unary call through cb.
func UnaryClientInterceptor(
	cb *breaker.Breaker, opts ...Option,
) grpc.UnaryClientInterceptor {
	o := newOptions(opts)
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		perm, err := cb.Acquire()
		if err != nil {
			return &rejection{err}
		}
		err = invoker(ctx, method, req, reply, cc, callOpts...)
		perm.CompleteErr(o.outcome(ctx, err), err)
		return err
	}
}

// docs:end grpc-interceptor

// StreamClientInterceptor runs every streaming call through cb. A stream
// counts as one call, from its start to its end: the error (io.EOF for a
// clean end) of the RecvMsg that ends it, or the caller canceling its
// context (ignored). Read streams to their end, or cancel their context,
// so that the breaker hears how they ended.
func StreamClientInterceptor(cb *breaker.Breaker, opts ...Option) grpc.StreamClientInterceptor {
	o := newOptions(opts)
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
		streamer grpc.Streamer, callOpts ...grpc.CallOption) (grpc.ClientStream, error) {
		perm, err := cb.Acquire()
		if err != nil {
			return nil, &rejection{err}
		}
		cs, err := streamer(ctx, desc, cc, method, callOpts...)
		if err != nil {
			perm.CompleteErr(o.outcome(ctx, err), err)
			return nil, err
		}
		s := &stream{ClientStream: cs, ctx: ctx, desc: desc, perm: perm, opts: o}
		// If the caller cancels and stops reading, the stream still ends.
		s.stop = context.AfterFunc(ctx, func() { s.report(ctx.Err()) })
		return s, nil
	}
}

type stream struct {
	grpc.ClientStream
	ctx  context.Context
	desc *grpc.StreamDesc
	perm breaker.Permission
	opts *options
	stop func() bool
	once sync.Once
}

func (s *stream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	switch {
	case errors.Is(err, io.EOF):
		s.end(nil)
	case err != nil:
		s.end(err)
	case !s.desc.ServerStreams: // a single response: the call is over
		s.end(nil)
	}
	return err
}

// end reports the outcome of a stream that ended by itself.
func (s *stream) end(err error) {
	s.stop()
	s.report(err)
}

// report tells the breaker how the stream ended, once.
func (s *stream) report(err error) {
	s.once.Do(func() { s.perm.CompleteErr(s.opts.outcome(s.ctx, err), err) })
}

// rejection is the breaker's refusal as a gRPC error: status Unavailable,
// wrapping the *breaker.OpenError.
type rejection struct{ err error }

func (r *rejection) Error() string { return r.err.Error() }

func (r *rejection) Unwrap() error { return r.err }

// GRPCStatus makes status.Code(err) report Unavailable.
func (r *rejection) GRPCStatus() *status.Status { return status.New(codes.Unavailable, r.err.Error()) }
