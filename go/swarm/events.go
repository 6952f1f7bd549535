package swarm

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// EventLog writes one JSON object per line, {"event": name, ...fields}, for
// the tests that assert on a process's accounting from outside it and for
// people watching a swarm. The Python twin writes the same lines. A nil
// *EventLog writes nothing.
type EventLog struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

// NewEventLog returns a log writing to w.
func NewEventLog(w io.Writer) *EventLog {
	return &EventLog{w: w, start: time.Now()}
}

// Emit writes one event; "event" and "ms" (milliseconds since the log was
// made) are added to fields.
func (l *EventLog) Emit(event string, fields map[string]any) {
	if l == nil || l.w == nil {
		return
	}
	rec := make(map[string]any, len(fields)+2)
	for k, v := range fields {
		rec[k] = v
	}
	rec["event"] = event
	rec["ms"] = time.Since(l.start).Milliseconds()
	line, err := json.Marshal(rec)
	if err != nil {
		return // fields are ours and always marshal; a log line is never worth a crash
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(line, '\n'))
}
