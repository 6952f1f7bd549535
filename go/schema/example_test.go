package schema_test

import (
	"fmt"

	"twinbook/schema"
)

// A consumer on version 2 reads what version 1 producers wrote: the new
// field has a default.
func ExampleCompatible() {
	v1, _ := schema.Parse(`{"type": "record", "name": "Order", "namespace": "shop",
		"fields": [{"name": "id", "type": "string"}]}`)
	v2, _ := schema.Parse(`{"type": "record", "name": "shop.Order", "fields": [
		{"name": "id", "type": "string"}, {"name": "qty", "type": "int", "default": 1}]}`)
	fmt.Println(schema.Compatible(schema.Backward, v2, []*schema.Schema{v1}))
	fmt.Println(schema.Compatible(schema.Full, v2, []*schema.Schema{v1}))
	fmt.Println(v2.Canonical())
	// Output:
	// true
	// true
	// {"type":"record","name":"shop.Order","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int","default":1}]}
}

func ExampleParse() {
	_, err := schema.Parse(`{"type": "record", "name": "Order", "fields": [
		{"name": "qty", "type": "int", "default": "one"}]}`)
	fmt.Println(err)
	// Output:
	// invalid Avro schema: at Order.qty: default "one" does not match the field's type "int"
}

// docs:start evolve

// Version 2 adds a field with a default, so a v2 consumer reads what v1
// producers wrote, and a v1 consumer skips the field it does not know.
// Version 3 adds a field without a default: a v3 consumer cannot read v2's
// records, so BACKWARD refuses v3 and FORWARD accepts it.
func ExampleCanRead() {
	v1, _ := schema.Parse(`{"type": "record", "name": "Order", "fields": [
		{"name": "id", "type": "string"}]}`)
	v2, _ := schema.Parse(`{"type": "record", "name": "Order", "fields": [
		{"name": "id", "type": "string"},
		{"name": "qty", "type": "int", "default": 1}]}`)
	v3, _ := schema.Parse(`{"type": "record", "name": "Order", "fields": [
		{"name": "id", "type": "string"},
		{"name": "qty", "type": "int", "default": 1},
		{"name": "note", "type": "string"}]}`)
	history := []*schema.Schema{v1, v2}
	fmt.Println(schema.CanRead(v2, v1), schema.CanRead(v1, v2))
	fmt.Println(schema.CanRead(v3, v2), schema.CanRead(v2, v3))
	fmt.Println(schema.Compatible(schema.Backward, v3, history))
	fmt.Println(schema.Compatible(schema.Forward, v3, history))
	// Output:
	// true true
	// false true
	// false
	// true
}

// docs:end evolve
