// Package breakerhttp puts a circuit breaker in front of an HTTP client: a
// [Transport] is an http.RoundTripper that asks the breaker before every
// request and tells it how the request went. Server errors (5xx) and
// connection errors count as failures; every other response, 4xx included,
// is a success (the server answered: the client got something wrong).
package breakerhttp

import (
	"net/http"

	"twinbook/breaker"
)

// docs:start http-transport

// Transport is an http.RoundTripper that runs every request through a
// breaker. When the breaker refuses, RoundTrip returns its
// [*breaker.OpenError] without sending anything (http.Client wraps it in a
// *url.Error; errors.Is(err, breaker.ErrOpen) still works).
type Transport struct {
	// Breaker decides and records; required.
	Breaker *breaker.Breaker
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// IsFailureResponse reports whether a response counts as a failure; nil
	// means a status of 500 or more.
	IsFailureResponse func(*http.Response) bool
}

// docs:end http-transport

// docs:start http-round-trip

// RoundTrip implements http.RoundTripper. A call's duration, for slow
// calls, runs until the response headers arrive. An error the caller caused
// by canceling the request's context is ignored (see breaker.Config); other
// errors go through the breaker's classification (every error is a failure
// by default).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	perm, err := t.Breaker.Acquire()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.base().RoundTrip(req)
	switch {
	case err != nil:
		perm.CompleteErr(t.Breaker.Classify(req.Context(), err), err)
	case t.failed(resp):
		perm.CompleteErr(breaker.Failure, nil)
	default:
		perm.CompleteErr(breaker.Success, nil)
	}
	return resp, err
}

// docs:end http-round-trip

func (t *Transport) failed(resp *http.Response) bool {
	if t.IsFailureResponse != nil {
		return t.IsFailureResponse(resp)
	}
	return resp.StatusCode >= 500
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// CloseIdleConnections closes the idle connections of Base, if it can
// (http.Client.CloseIdleConnections calls it).
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// closeBody closes the body of a request that will not be sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
