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
			if d.Int64 == nil {
				d.Int64 = map[string]int64{}
			}
			d.Int64[k] = v
		case int:
			if d.Int == nil {
				d.Int = map[string]int{}
			}
			d.Int[k] = v
		case string:
			if d.String == nil {
				d.String = map[string]string{}
			}
			d.String[k] = v
		case bool:
			if d.Bool == nil {
				d.Bool = map[string]bool{}
			}
			d.Bool[k] = v
		default:
			return nil, fmt.Errorf("server: session value %q: type %T cannot be stored", k, v)
		}
	}
	return json.Marshal(d)
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
	for k, v := range d.Int64 {
		values[k] = v
	}
	for k, v := range d.Int {
		values[k] = v
	}
	for k, v := range d.String {
		values[k] = v
	}
	for k, v := range d.Bool {
		values[k] = v
	}
	return d.Deadline, values, nil
}
