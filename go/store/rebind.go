package store

import (
	"strconv"
	"strings"
)

// Rebind returns q with its `?` placeholders written for the store's driver:
// unchanged on SQLite, `$1`, `$2`... on PostgreSQL. A `?` inside a
// '...' string, a "..." identifier, a $tag$...$tag$ string or a -- or /* */
// comment is left alone. Not supported: PostgreSQL's jsonb operators ?, ?|
// and ?& (they would be taken for placeholders; use jsonb_exists and its
// kin instead) and E'...' strings with a backslash-escaped quote.
func (db *DB) Rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	return RebindDollar(q)
}

// RebindDollar rewrites q's `?` placeholders as `$1`, `$2`... with the rules
// of Rebind, whatever the store.
func RebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
			continue
		case c == '\'' || c == '"':
			end := skipQuoted(q, i, c)
			b.WriteString(q[i:end])
			i = end
			continue
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			end := strings.IndexByte(q[i:], '\n')
			if end < 0 {
				end = len(q) - i
			}
			b.WriteString(q[i : i+end])
			i += end
			continue
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+2+end+2])
			i += 2 + end + 2
			continue
		case c == '$':
			if tag, ok := dollarTag(q[i:]); ok {
				end := strings.Index(q[i+len(tag):], tag)
				if end < 0 {
					b.WriteString(q[i:])
					return b.String()
				}
				stop := i + len(tag) + end + len(tag)
				b.WriteString(q[i:stop])
				i = stop
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// skipQuoted returns the index just past the quoted text that starts at
// q[i] (quote is ' or "; a doubled quote is an escaped one); len(q) if the
// text is never closed.
func skipQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// dollarTag returns the opening tag of a dollar-quoted string ($$ or $name$)
// at the start of s; a positional parameter such as $1 is not one.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case c >= '0' && c <= '9' && j > 1:
		default:
			return "", false
		}
	}
	return "", false
}
