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
