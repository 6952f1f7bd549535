package registry_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"twinbook/registry"
)

// A registry on a log in memory, asked as any client asks it: register a
// schema under a subject, then fetch it back by its id.
func Example() {
	svc, err := registry.New(context.Background(), registry.NewMemoryStore(), registry.AvroChecker{}, registry.Options{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(registry.NewHandler(svc))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/subjects/orders-value/versions", registry.ContentType,
		strings.NewReader(`{"schema": "{\"type\": \"record\", \"name\": \"Order\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}"}`))
	if err != nil {
		panic(err)
	}
	registered, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(registered))

	resp, err = http.Get(srv.URL + "/schemas/ids/1")
	if err != nil {
		panic(err)
	}
	schema, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(schema))
	// Output:
	// {"id":1}
	// {"schema":"{\"type\": \"record\", \"name\": \"Order\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}"}
}

// Confluent's wire format: magic byte 0, the schema id in 4 big-endian
// bytes, then the Avro body.
func ExampleEncodeWire() {
	value := registry.EncodeWire(7, []byte{0x02, 0x61})
	fmt.Printf("% x\n", value)
	id, body, _ := registry.DecodeWire(value)
	fmt.Println(id, body)
	// Output:
	// 00 00 00 00 07 02 61
	// 7 [2 97]
}
