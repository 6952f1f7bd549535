package schema

import (
	"fmt"
	"strings"
)

// primitives are the type names that need no definition; they may not name
// a record, enum or fixed either.
var primitives = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true,
	"float": true, "double": true, "bytes": true, "string": true,
}

// validName: Avro names start with a letter or _, then letters, digits, _.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// validFullName: dot-separated names, none empty.
func validFullName(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if !validName(part) {
			return false
		}
	}
	return true
}

// qualify is the full name of name written inside namespace: a name with a
// dot is already full; otherwise it lives in the enclosing namespace.
func qualify(name, namespace string) string {
	if strings.Contains(name, ".") || namespace == "" {
		return name
	}
	return namespace + "." + name
}

// namespaceOf is the namespace part of a full name ("" for none).
func namespaceOf(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i]
	}
	return ""
}

// fullNameOf reads a named type's name and namespace attributes: a dotted
// name is full, else the explicit namespace (which may be "", the null
// namespace) or the enclosing one applies.
func fullNameOf(obj map[string]any, enclosing string) (string, error) {
	raw, ok := obj["name"]
	name, isString := raw.(string)
	if !ok || !isString || name == "" {
		return "", fmt.Errorf("a %v needs a name (a non-empty string)", obj["type"])
	}
	namespace := enclosing
	if rawNS, ok := obj["namespace"]; ok && rawNS != nil {
		ns, isString := rawNS.(string)
		if !isString {
			return "", fmt.Errorf("namespace of %q is not a string", name)
		}
		if ns != "" && !validFullName(ns) {
			return "", fmt.Errorf("invalid namespace %q", ns)
		}
		namespace = ns
	}
	full := qualify(name, namespace)
	if !validFullName(full) {
		return "", fmt.Errorf("invalid name %q", full)
	}
	if primitives[full] {
		return "", fmt.Errorf("the primitive type name %q cannot name a %v", full, obj["type"])
	}
	return full, nil
}
