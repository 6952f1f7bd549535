// Command pairs answers, for many (reader, writer) schema pairs, what
// package schema says and what hamba/avro's Compatible says, so that one
// process serves a whole differential test (python/tests/schema/
// test_differential.py): one JSON object per line in, one per line out.
//
// In:  {"reader": "<schema text>", "writer": "<schema text>"}
// Out: {"ours": bool, "hamba": bool, "reader_canonical": "...",
//
//	"writer_canonical": "...", "error": "..."}
//
// ours is null when package schema rejects a schema (error says why), hamba
// null when hamba/avro does. It exits when stdin closes.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hamba/avro/v2"

	"twinbook/schema"
)

type pair struct {
	Reader string `json:"reader"`
	Writer string `json:"writer"`
}

type answer struct {
	Ours            *bool  `json:"ours"`
	Hamba           *bool  `json:"hamba"`
	ReaderCanonical string `json:"reader_canonical"`
	WriterCanonical string `json:"writer_canonical"`
	Error           string `json:"error,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var p pair
		if err := json.Unmarshal(in.Bytes(), &p); err != nil {
			fmt.Fprintln(os.Stderr, "pairs: not a pair:", err)
			os.Exit(2)
		}
		if err := out.Encode(check(p)); err != nil {
			os.Exit(1)
		}
	}
}

func check(p pair) answer {
	var a answer
	reader, errR := schema.Parse(p.Reader)
	writer, errW := schema.Parse(p.Writer)
	if errR == nil && errW == nil {
		ok := schema.CanRead(reader, writer)
		a.Ours = &ok
		a.ReaderCanonical, a.WriterCanonical = reader.Canonical(), writer.Canonical()
	} else {
		a.Error = fmt.Sprint(errR, errW)
	}
	// Each schema gets a cache of its own: hamba's default cache is global
	// and would mix the reader's named types with the writer's.
	hr, errR := avro.ParseWithCache(p.Reader, "", &avro.SchemaCache{})
	hw, errW := avro.ParseWithCache(p.Writer, "", &avro.SchemaCache{})
	if errR == nil && errW == nil {
		// A fresh checker per pair: hamba caches results by fingerprint.
		ok := avro.NewSchemaCompatibility().Compatible(hr, hw) == nil
		a.Hamba = &ok
	} else {
		a.Error += fmt.Sprint(" hamba: ", errR, errW)
	}
	return a
}
