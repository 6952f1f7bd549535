// Package sample is what exportednames' test lists the names of.
package sample

import "time"

// Limit is an exported constant.
const Limit = 3

const hidden = 4

// Kind is an enum-like type with its constants.
type Kind uint8

// The kinds.
const (
	First Kind = iota
	Second
)

// String names a kind.
func (k Kind) String() string { return "kind" }

// Waiter is an interface; its methods count too.
type Waiter interface {
	Wait(d time.Duration) error
	unexported()
}

// Thing has exported and unexported methods and fields.
type Thing struct {
	Field int
	field int
}

// NewThing is a constructor.
func NewThing() *Thing { return &Thing{field: hidden} }

// Do is exported.
func (t *Thing) Do() {}

func (t *Thing) undo() {}

// ErrSample is an exported variable.
var ErrSample error
