// Command twinbook-avro produces and consumes Avro records in Confluent's
// wire format with clients the project did not write: franz-go's kgo, its
// sr client and sr.Serde over hamba/avro. The interop tests drive it
// against both registries, opposite confluent-kafka's serializers:
//
//	twinbook-avro produce --registry URL --kafka HOST:PORT --topic T --schema FILE [--subject S]
//	twinbook-avro consume --registry URL --kafka HOST:PORT --topic T --count N [--schema FILE]
//
// produce registers the schema (under S, default T-value), reads one JSON
// object per line on stdin and produces each, encoded, to partition 0; it
// prints the schema id. A schema the registry refuses ends it with status 3
// before anything is written. consume reads N records from the start of T
// and prints each as a JSON line {"id": writer schema id, "value": ...},
// resolved to the --schema reader schema when given (Avro schema
// resolution: defaults filled in, fields the reader lacks skipped). A
// record whose schema id the registry does not know ends it with status 4.
// A registry or broker that is not there ends it with status 5, saying
// which, within --timeout. Every wait is bounded by --timeout.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"
)

type options struct {
	registry, kafka, topic, schema, subject string
	count                                   int
	timeout                                 time.Duration
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "produce" && os.Args[1] != "consume") {
		fmt.Fprintln(os.Stderr, "usage: twinbook-avro produce|consume --registry URL --kafka HOST:PORT --topic T ...")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var o options
	fs.StringVar(&o.registry, "registry", "", "the registry's base URL")
	fs.StringVar(&o.kafka, "kafka", os.Getenv("TWINBOOK_KAFKA"), "a broker's host:port")
	fs.StringVar(&o.topic, "topic", "", "the topic")
	fs.StringVar(&o.schema, "schema", "", "a file with the Avro schema (writer for produce, reader for consume)")
	fs.StringVar(&o.subject, "subject", "", "the subject (default TOPIC-value)")
	fs.IntVar(&o.count, "count", 1, "records to consume")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Second, "bound on every wait")
	_ = fs.Parse(os.Args[2:])
	if o.subject == "" {
		o.subject = o.topic + "-value"
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	var err error
	if os.Args[1] == "produce" {
		err = produce(ctx, o, os.Stdin, os.Stdout)
	} else {
		err = consume(ctx, o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "twinbook-avro:", err)
		var refused *refusedError
		var unknown *unknownIDError
		var unavailable *unavailableError
		switch {
		case errors.As(err, &unavailable):
			os.Exit(5)
		case errors.As(err, &refused):
			os.Exit(3)
		case errors.As(err, &unknown):
			os.Exit(4)
		}
		os.Exit(1)
	}
}

// refusedError is the registry refusing the schema (409, 422...).
type refusedError struct{ err error }

func (e *refusedError) Error() string {
	var re *sr.ResponseError
	if errors.As(e.err, &re) {
		return fmt.Sprintf("registry refused the schema: HTTP %d, error_code %d: %s", re.StatusCode, re.ErrorCode, re.Message)
	}
	return "registry refused the schema: " + e.err.Error()
}
func (e *refusedError) Unwrap() error { return e.err }

// unavailableError is a registry or a broker that did not answer: not a
// refusal, which is an answer.
type unavailableError struct {
	what, addr string
	err        error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("%s unavailable at %s: %v", e.what, e.addr, e.err)
}
func (e *unavailableError) Unwrap() error { return e.err }

// registryError sorts a registry client's error: an HTTP answer is
// answered(err), no answer is unavailableError.
func registryError(url string, err error, answered func(error) error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) {
		return answered(err)
	}
	return &unavailableError{"registry", url, err}
}

// connect makes a kgo client and asks the broker for its metadata once, so
// that a broker that is not there is named now rather than a wait for
// records that ends in a bare deadline.
func connect(ctx context.Context, addr string, opts ...kgo.Opt) (*kgo.Client, error) {
	client, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr)}, opts...)...)
	if err != nil {
		return nil, err
	}
	if err := client.Ping(ctx); err != nil {
		client.Close()
		return nil, &unavailableError{"kafka", addr, err}
	}
	return client, nil
}

// unknownIDError is a record whose schema id the registry does not know.
type unknownIDError struct {
	id  int
	err error
}

func (e *unknownIDError) Error() string {
	return fmt.Sprintf("schema id %d is unknown to the registry: %v", e.id, e.err)
}
func (e *unknownIDError) Unwrap() error { return e.err }

func produce(ctx context.Context, o options, in io.Reader, out io.Writer) error {
	text, err := os.ReadFile(o.schema)
	if err != nil {
		return err
	}
	schema, err := avro.Parse(string(text))
	if err != nil {
		return fmt.Errorf("parse %s: %w", o.schema, err)
	}
	rcl, err := sr.NewClient(sr.URLs(o.registry))
	if err != nil {
		return err
	}
	client, err := connect(ctx, o.kafka, kgo.AllowAutoTopicCreation(),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		return err
	}
	defer client.Close()
	registered, err := rcl.CreateSchema(ctx, o.subject, sr.Schema{Schema: string(text), Type: sr.TypeAvro})
	if err != nil {
		return registryError(o.registry, err, func(err error) error { return &refusedError{err} })
	}
	var serde sr.Serde
	serde.Register(registered.ID, map[string]any{},
		sr.EncodeFn(func(v any) ([]byte, error) { return avro.Marshal(schema, v) }))
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		var v map[string]any
		if err := json.Unmarshal(lines.Bytes(), &v); err != nil {
			return fmt.Errorf("a record on stdin: %w", err)
		}
		value, err := serde.Encode(fromJSON(schema, v))
		if err != nil {
			return fmt.Errorf("encode %v: %w", v, err)
		}
		rec := &kgo.Record{Topic: o.topic, Partition: 0, Value: value}
		if err := client.ProduceSync(ctx, rec).FirstErr(); err != nil {
			return err
		}
	}
	if err := lines.Err(); err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, registered.ID)
	return err
}

// fromJSON turns JSON numbers (float64) into the Go integers hamba wants
// for int and long fields of a record schema.
func fromJSON(schema avro.Schema, v map[string]any) map[string]any {
	rec, ok := schema.(*avro.RecordSchema)
	if !ok {
		return v
	}
	for _, f := range rec.Fields() {
		n, isNum := v[f.Name()].(float64)
		if !isNum {
			continue
		}
		switch f.Type().Type() {
		case avro.Int:
			v[f.Name()] = int(n)
		case avro.Long:
			v[f.Name()] = int64(n)
		}
	}
	return v
}

func consume(ctx context.Context, o options, out io.Writer) error {
	var reader avro.Schema
	if o.schema != "" {
		text, err := os.ReadFile(o.schema)
		if err != nil {
			return err
		}
		if reader, err = avro.Parse(string(text)); err != nil {
			return fmt.Errorf("parse %s: %w", o.schema, err)
		}
	}
	rcl, err := sr.NewClient(sr.URLs(o.registry))
	if err != nil {
		return err
	}
	client, err := connect(ctx, o.kafka,
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.topic: {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		return err
	}
	defer client.Close()
	var serde sr.Serde
	schemas := map[int]avro.Schema{}
	enc := json.NewEncoder(out)
	for seen := 0; seen < o.count; {
		fetches := client.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("consumed %d of %d records: %w", seen, o.count, ctx.Err())
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return errs[0].Err
		}
		for _, r := range fetches.Records() {
			if seen == o.count {
				break
			}
			id, body, err := serde.DecodeID(r.Value)
			if err != nil {
				return fmt.Errorf("offset %d: %w", r.Offset, err)
			}
			schema, ok := schemas[id]
			if !ok {
				if schema, err = writerSchema(ctx, rcl, o.registry, reader, id); err != nil {
					return err
				}
				schemas[id] = schema
			}
			var v map[string]any
			if err := avro.Unmarshal(schema, body, &v); err != nil {
				return fmt.Errorf("offset %d: decode with schema %d: %w", r.Offset, id, err)
			}
			if err := enc.Encode(map[string]any{"id": id, "value": v}); err != nil {
				return err
			}
			seen++
		}
	}
	return nil
}

// writerSchema fetches schema id from the registry and resolves it against
// the reader schema, if any.
func writerSchema(ctx context.Context, rcl *sr.Client, url string, reader avro.Schema, id int) (avro.Schema, error) {
	s, err := rcl.SchemaByID(ctx, id)
	if err != nil {
		return nil, registryError(url, err, func(err error) error { return &unknownIDError{id, err} })
	}
	writer, err := avro.Parse(s.Schema)
	if err != nil {
		return nil, fmt.Errorf("schema %d: %w", id, err)
	}
	if reader == nil {
		return writer, nil
	}
	resolved, err := avro.NewSchemaCompatibility().Resolve(reader, writer)
	if err != nil {
		return nil, fmt.Errorf("reader schema against writer schema %d: %w", id, err)
	}
	return resolved, nil
}
