package loadtest

import (
	"fmt"
	"io"
	"net/http"
)

// Fetch sends req with c and returns the answer's body; a failed request
// or a status other than 200 is an error, as a load test counts it.
func Fetch(c *http.Client, req *http.Request) (string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return string(body), nil
}
