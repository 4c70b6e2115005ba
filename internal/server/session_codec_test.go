package server

import (
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Every kind of value comes back with its Go type; a session saved by the
// old gob codec is still read; an unknown kind is refused, not dropped.
func TestSessionCodec(t *testing.T) {
	deadline := time.Date(2027, 2, 26, 7, 0, 0, 0, time.UTC)
	in := map[string]any{"user": int64(42), "count": 3, "flash": "Saved — Yadda saxlanıldı", "ok": true}
	var c SessionCodec
	b, err := c.Encode(deadline, in)
	if err != nil {
		t.Fatal(err)
	}
	gotDeadline, out, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !gotDeadline.Equal(deadline) {
		t.Errorf("deadline %v, want %v", gotDeadline, deadline)
	}
	if len(out) != len(in) {
		t.Errorf("values %v, want %v", out, in)
	}
	for k, v := range in {
		if out[k] != v {
			t.Errorf("%s: %#v (%T), want %#v (%T)", k, out[k], out[k], v, v)
		}
	}

	old, err := scs.GobCodec{}.Encode(deadline, map[string]any{"user": int64(7)})
	if err != nil {
		t.Fatal(err)
	}
	if _, out, err := c.Decode(old); err != nil || out["user"] != int64(7) {
		t.Errorf("gob session: %v, %v", out, err)
	}

	if _, err := c.Encode(deadline, map[string]any{"when": time.Now()}); err == nil {
		t.Error("a time.Time value was accepted; it would come back as a string")
	}
}

// The remembering codec gives the same values as the plain one, and each
// caller its own map: scs changes the map it gets (Put, Remove), and that
// must not reach the next request's decoding.
func TestSessionCodecMemo(t *testing.T) {
	c := NewSessionCodec()
	deadline := time.Date(2027, 2, 26, 7, 0, 0, 0, time.UTC)
	b, err := c.Encode(deadline, map[string]any{"user": int64(42), "flash": "Saved"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		d, v, err := c.Decode(b)
		if err != nil || !d.Equal(deadline) || v["user"] != int64(42) || v["flash"] != "Saved" || len(v) != 2 {
			t.Fatalf("decoding %d: %v %v %v", i, d, v, err)
		}
		v["flash"] = "changed by a request"
		delete(v, "user")
	}
	if len(c.memo.m) != 1 {
		t.Fatalf("%d decodings remembered, want 1", len(c.memo.m))
	}
	for i := range memoMax + 10 {
		b, err := c.Encode(deadline, map[string]any{"user": int64(i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, v, _ := c.Decode(b); v["user"] != int64(i) {
			t.Fatalf("session %d decoded as %v", i, v)
		}
	}
	if n := len(c.memo.m); n > memoMax {
		t.Fatalf("%d decodings remembered, at most %d", n, memoMax)
	}
	if _, _, err := c.Decode([]byte("{not json")); err == nil {
		t.Fatal("bad data decoded")
	}
}
