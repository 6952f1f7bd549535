package idempotency_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"twinbook/idempotency"
)

// A retry with the same key gets the first answer back, marked as a
// replay; the handler ran once.
func ExampleMiddleware() {
	orders := 0
	create := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orders++
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "order %d", orders)
	})
	mw, err := idempotency.Middleware(idempotency.DefaultConfig(), idempotency.NewMemory(), nil)
	if err != nil {
		panic(err)
	}
	h := mw(create)
	for range 2 {
		r := httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader(`{"qty":1}`))
		r.Header.Set(idempotency.Header, "7c1e0f5a")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Printf("%d %s replayed=%q\n", w.Code, w.Body.String(), w.Header().Get(idempotency.ReplayedHeader))
	}
	// Output:
	// 201 order 1 replayed=""
	// 201 order 1 replayed="true"
}
