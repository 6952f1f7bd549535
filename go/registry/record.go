package registry

import (
	"encoding/json"
	"fmt"
)

// KeyType says what a record of the log is about; the names are those of
// Confluent's KafkaStore (its "keytype" field), so that its topic and ours
// read the same.
type KeyType string

// The record kinds this registry writes and replays. Others found in a
// topic (Confluent writes a few more) are skipped on replay.
const (
	KeySchema        KeyType = "SCHEMA"
	KeyConfig        KeyType = "CONFIG"
	KeyMode          KeyType = "MODE"
	KeyDeleteSubject KeyType = "DELETE_SUBJECT"
	KeyClearSubject  KeyType = "CLEAR_SUBJECT"
	KeyNoop          KeyType = "NOOP"
)

// Record is one entry of the log: a key (its kind, subject and version)
// and a value, nil for a tombstone (a hard delete, or a subject's config
// removed). The log replays to the registry's state: apply every record in
// order.
type Record struct {
	Key   RecordKey
	Value []byte
}

// RecordKey is a record's key as Confluent writes it: JSON with a keytype,
// the subject (null for the global config), the version for schemas, and a
// magic number (Confluent's format version: 1 for schemas, 0 otherwise).
type RecordKey struct {
	KeyType KeyType `json:"keytype"`
	Subject *string `json:"subject"`
	Version int     `json:"version,omitempty"`
	Magic   int     `json:"magic"`
}

// SchemaValue is the value of a SCHEMA record: one version of a subject.
type SchemaValue struct {
	Subject    string      `json:"subject"`
	Version    int         `json:"version"`
	ID         int         `json:"id"`
	SchemaType string      `json:"schemaType,omitempty"`
	References []Reference `json:"references,omitempty"`
	Schema     string      `json:"schema"`
	Deleted    bool        `json:"deleted"`
}

// ConfigValue is the value of a CONFIG record. Confluent's carries more
// settings; those this registry does not know are ignored on replay.
type ConfigValue struct {
	CompatibilityLevel string `json:"compatibilityLevel"`
}

// ModeValue is the value of a MODE record.
type ModeValue struct {
	Mode string `json:"mode"`
}

// DeleteSubjectValue is the value of a DELETE_SUBJECT record: every version
// of Subject up to Version is soft-deleted.
type DeleteSubjectValue struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// MarshalKey encodes a key as the topic's record key.
func (k RecordKey) MarshalKey() []byte {
	b, _ := json.Marshal(k) // a struct of strings and ints always encodes
	return b
}

// ParseKey decodes a record key.
func ParseKey(b []byte) (RecordKey, error) {
	var k RecordKey
	if err := json.Unmarshal(b, &k); err != nil {
		return k, fmt.Errorf("registry: record key %q: %w", b, err)
	}
	return k, nil
}

func subjectPtr(s string) *string { return &s }

func schemaRecord(v SchemaValue) Record {
	b, _ := json.Marshal(v)
	return Record{Key: RecordKey{KeyType: KeySchema, Subject: subjectPtr(v.Subject), Version: v.Version, Magic: 1}, Value: b}
}

func schemaTombstone(subject string, version int) Record {
	return Record{Key: RecordKey{KeyType: KeySchema, Subject: subjectPtr(subject), Version: version, Magic: 1}}
}

// configRecord writes a subject's level ("" subject: the global one);
// level "" is a tombstone (the subject's level removed).
func configRecord(subject, level string) Record {
	key := RecordKey{KeyType: KeyConfig, Magic: 0}
	if subject != "" {
		key.Subject = subjectPtr(subject)
	}
	if level == "" {
		return Record{Key: key}
	}
	b, _ := json.Marshal(ConfigValue{CompatibilityLevel: level})
	return Record{Key: key, Value: b}
}

func deleteSubjectRecord(subject string, upTo int) Record {
	b, _ := json.Marshal(DeleteSubjectValue{Subject: subject, Version: upTo})
	return Record{Key: RecordKey{KeyType: KeyDeleteSubject, Subject: subjectPtr(subject), Magic: 0}, Value: b}
}
