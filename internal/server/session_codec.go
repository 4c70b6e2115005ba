package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCodec stores session values as JSON. scs's default, gob, builds
// a new decoder on every request and sends the type descriptions with the
// data: decoding them cost more than the rest of a guest's answer outside
// the database. Sessions hold few kinds of value (ids, the last-seen time,
// marker and flash strings, flags); anything else is refused at Encode, so
// a new kind shows in the tests instead of being lost.
//
// A SessionCodec made by NewSessionCodec also remembers what it decoded
// last: a signed-in user's session reads the same from one request to the
// next (the session store keeps it in memory), and decoding its JSON was
// the largest cost left of loading it. The zero value decodes each time.
type SessionCodec struct {
	memo *decodeMemo
}

// NewSessionCodec returns a codec that remembers its recent decodings.
func NewSessionCodec() SessionCodec { return SessionCodec{memo: &decodeMemo{m: map[string]decoded{}}} }

// decodeMemo maps session data to its decoding, for at most memoMax
// sessions (then it starts again: a clear is cheaper than bookkeeping).
type decodeMemo struct {
	mu sync.Mutex
	m  map[string]decoded
}

type decoded struct {
	deadline time.Time
	values   map[string]any // never handed out: scs changes the map it gets
}

const memoMax = 2048

// sessionData is the stored form: the values sorted by kind, so that each
// comes back with the Go type it was put with (GetInt64 wants an int64).
type sessionData struct {
	Deadline time.Time         `json:"d"`
	Int64    map[string]int64  `json:"i,omitempty"`
	Int      map[string]int    `json:"n,omitempty"`
	String   map[string]string `json:"s,omitempty"`
	Bool     map[string]bool   `json:"b,omitempty"`
}

// Encode implements scs.Codec.
func (SessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	d := sessionData{Deadline: deadline}
	for k, v := range values {
		switch v := v.(type) {
		case int64:
			put(&d.Int64, k, v)
		case int:
			put(&d.Int, k, v)
		case string:
			put(&d.String, k, v)
		case bool:
			put(&d.Bool, k, v)
		default:
			return nil, fmt.Errorf("server: session value %q: type %T cannot be stored", k, v)
		}
	}
	return json.Marshal(d)
}

// put sets m[k], making m on its first value (empty kinds are left out).
func put[T any](m *map[string]T, k string, v T) {
	if *m == nil {
		*m = map[string]T{}
	}
	(*m)[k] = v
}

// Decode implements scs.Codec. Sessions saved by the gob codec before
// this one are still read.
func (c SessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if !bytes.HasPrefix(b, []byte("{")) {
		return scs.GobCodec{}.Decode(b)
	}
	if c.memo == nil {
		return decodeJSON(b)
	}
	c.memo.mu.Lock()
	hit, ok := c.memo.m[string(b)]
	c.memo.mu.Unlock()
	if ok {
		// The values are ints, strings and flags: a shallow copy is a
		// copy.
		return hit.deadline, maps.Clone(hit.values), nil
	}
	deadline, values, err := decodeJSON(b)
	if err != nil {
		return deadline, values, err
	}
	c.memo.mu.Lock()
	if len(c.memo.m) >= memoMax {
		clear(c.memo.m)
	}
	c.memo.m[string(b)] = decoded{deadline: deadline, values: maps.Clone(values)}
	c.memo.mu.Unlock()
	return deadline, values, nil
}

// decodeJSON decodes the JSON form.
func decodeJSON(b []byte) (time.Time, map[string]any, error) {
	var d sessionData
	if err := json.Unmarshal(b, &d); err != nil {
		return time.Time{}, nil, fmt.Errorf("server: session data: %w", err)
	}
	values := make(map[string]any, len(d.Int64)+len(d.Int)+len(d.String)+len(d.Bool))
	copyInto(values, d.Int64)
	copyInto(values, d.Int)
	copyInto(values, d.String)
	copyInto(values, d.Bool)
	return d.Deadline, values, nil
}

// copyInto adds the values of one kind to values.
func copyInto[T any](values map[string]any, m map[string]T) {
	for k, v := range m {
		values[k] = v
	}
}
