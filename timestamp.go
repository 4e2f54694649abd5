package exh

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// timestamp decodes the API's times: ISO-8601 strings, epoch milliseconds
// (as numbers or numeric strings), or null.
type timestamp time.Time

// Time returns t as a time.Time; the zero Time for null or absent.
func (t timestamp) Time() time.Time { return time.Time(t) }

// UnmarshalJSON implements json.Unmarshaler.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*t = timestamp{}
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*t = timestamp{}
			return nil
		}
		if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*t = timestamp(v)
			return nil
		}
		b = []byte(s)
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %.40q is neither ISO-8601 nor epoch milliseconds", b)
	}
	*t = timestamp(time.UnixMilli(int64(ms)).UTC())
	return nil
}
