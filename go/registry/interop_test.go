package registry_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"twinbook/kafka/kafkatest"
	"twinbook/registry"
)

// order is the record the interop tests send, as hamba/avro maps it.
type order struct {
	ID  string `avro:"id"`
	Qty int64  `avro:"qty"`
}

const orderSchema = `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"qty","type":"long"}]}`

// TestFranzGoClient drives the registry with franz-go's sr client and
// sr.Serde over hamba/avro, through a topic on the broker: the schema is
// registered (and again: same id), the record goes out in Confluent's wire
// format and comes back equal, and an incompatible schema is refused with
// 409.
func TestFranzGoClient(t *testing.T) {
	bootstrap := kafkatest.Bootstrap(t)
	srv := newServer(t, openKafka(t, bootstrap, kafkatest.Name(t)))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rcl, err := sr.NewClient(sr.URLs(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	topic := kafkatest.Name(t)
	subject := topic + "-value"
	created, err := rcl.CreateSchema(ctx, subject, sr.Schema{Schema: orderSchema, Type: sr.TypeAvro})
	if err != nil {
		t.Fatal(err)
	}
	again, err := rcl.CreateSchema(ctx, subject, sr.Schema{Schema: orderSchema})
	if err != nil || again.ID != created.ID || again.Version != 1 {
		t.Fatalf("registering again: %+v, %v; want id %d version 1", again, err, created.ID)
	}
	byID, err := rcl.SchemaByID(ctx, created.ID)
	if err != nil || byID.Schema != orderSchema {
		t.Fatalf("SchemaByID(%d) = %q, %v", created.ID, byID.Schema, err)
	}

	schema := avro.MustParse(orderSchema)
	var serde sr.Serde
	serde.Register(created.ID, order{},
		sr.EncodeFn(func(v any) ([]byte, error) { return avro.Marshal(schema, v) }),
		sr.DecodeFn(func(b []byte, v any) error { return avro.Unmarshal(schema, b, v) }))
	sent := order{ID: "a", Qty: 3}
	value, err := serde.Encode(sent)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := avro.Marshal(schema, sent)
	header := make([]byte, 5)
	binary.BigEndian.PutUint32(header[1:], uint32(created.ID))
	if !bytes.Equal(value, append(header, body...)) {
		t.Errorf("wire bytes % x, want magic 0, id %d big-endian, then the Avro body", value, created.ID)
	}
	if id, rest, err := registry.DecodeWire(value); err != nil || id != created.ID || !bytes.Equal(rest, body) {
		t.Errorf("DecodeWire: %d % x %v", id, rest, err)
	}

	client, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.AllowAutoTopicCreation(),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: value}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	var got order
	for got == (order{}) {
		fetches := client.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("no record back: %v", err)
		}
		for _, r := range fetches.Records() {
			if err := serde.Decode(r.Value, &got); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got != sent {
		t.Errorf("got %+v back, sent %+v", got, sent)
	}

	incompatible := `{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"},{"name":"qty","type":"long"},{"name":"note","type":"string"}]}`
	_, err = rcl.CreateSchema(ctx, subject, sr.Schema{Schema: incompatible})
	var refused *sr.ResponseError
	if !errors.As(err, &refused) || refused.StatusCode != 409 || refused.ErrorCode != 409 {
		t.Errorf("incompatible schema: %v, want 409/409", err)
	}
	if _, err := rcl.SchemaByID(ctx, 9999); !errors.As(err, &refused) || refused.ErrorCode != registry.CodeSchemaNotFound {
		t.Errorf("unknown id: %v, want 40403", err)
	}
}

func TestWire(t *testing.T) {
	tests := []struct {
		name  string
		value []byte
		id    int
		body  []byte
		err   bool
	}{
		{"id and body", []byte{0, 0, 0, 1, 2, 9, 8}, 258, []byte{9, 8}, false},
		{"empty body", []byte{0, 0xff, 0xff, 0xff, 0xff}, 1<<32 - 1, []byte{}, false},
		{"too short", []byte{0, 0, 0}, 0, nil, true},
		{"wrong magic byte", []byte{1, 0, 0, 0, 1, 5}, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, body, err := registry.DecodeWire(tt.value)
			if tt.err {
				if !errors.Is(err, registry.ErrWireFormat) {
					t.Fatalf("DecodeWire(% x) error %v, want ErrWireFormat", tt.value, err)
				}
				return
			}
			if err != nil || id != tt.id || !bytes.Equal(body, tt.body) {
				t.Fatalf("DecodeWire(% x) = %d, % x, %v", tt.value, id, body, err)
			}
			if again := registry.EncodeWire(id, body); !bytes.Equal(again, tt.value) {
				t.Errorf("EncodeWire(%d, % x) = % x, want % x", id, body, again, tt.value)
			}
		})
	}
}
