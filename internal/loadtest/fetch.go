package loadtest

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
)

// answers are the buffers Fetch reads answers into. The load generator
// shares the machine's cores with the servers it measures, so it reads
// each answer into a buffer it keeps rather than one grown and copied
// per request: its own cost, paid for every answer, would otherwise grow
// with the answer's size and weigh on the side with the larger answers.
var answers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

// Fetch sends req with c and hands the answer's body to check; a failed
// request, a status other than 200 or check's error is an error, as a
// load test counts it. body is valid only during check.
func Fetch(c *http.Client, req *http.Request, check func(body []byte) error) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	buf := answers.Get().(*bytes.Buffer)
	defer answers.Put(buf)
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, buf.Bytes())
	}
	return check(buf.Bytes())
}
