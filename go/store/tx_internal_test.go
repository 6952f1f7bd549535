package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestConnectionLost(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"terminated by the administrator", &pgconn.PgError{Code: "57P01"}, true},
		{"server crash shutdown", fmt.Errorf("begin: %w", &pgconn.PgError{Code: "57P02"}), true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"bad connection", driver.ErrBadConn, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"anything else", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := connectionLost(tt.err); got != tt.want {
				t.Fatalf("connectionLost(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
