package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionCodec stores session values as JSON. scs's default, gob, builds
// a new decoder on every request and sends the type descriptions with the
// data: decoding them cost more than the rest of a guest's answer outside
// the database. Sessions hold few kinds of value (ids, the last-seen time,
// marker and flash strings, flags); anything else is refused at Encode, so
// a new kind shows in the tests instead of being lost.
type SessionCodec struct{}

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
func (SessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if !bytes.HasPrefix(b, []byte("{")) {
		return scs.GobCodec{}.Decode(b)
	}
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
