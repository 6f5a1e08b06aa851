package oparl

import (
	"bytes"
	"time"
)

// SetReflectJSON makes s encode every response with encoding/json (on) or
// with the append writers (off, the default).
func SetReflectJSON(s *Server, on bool) { s.reflectJSON = on }

// AppendJSONString is the string writer of the append encoder.
var AppendJSONString = appendString

// AppendJSONFloat is the number writer of the append encoder.
var AppendJSONFloat = appendFloat

// TamperDoc returns the stored blob with old replaced by new in its JSON
// (same object, same times): tests show that stored documents are served.
func TamperDoc(blob []byte, old, new string) ([]byte, error) {
	d, err := decodeDoc(blob)
	if err != nil {
		return nil, err
	}
	raw, err := d.appendInflated(nil, nil)
	if err != nil {
		return nil, err
	}
	var w docWriter
	// Without its predecessor: a chained fragment would need the
	// predecessor's tampered JSON.
	return w.encodeDoc(d.id, time.Unix(d.created, 0), time.Unix(d.modified, 0), bytes.ReplaceAll(raw, []byte(old), []byte(new)), 0, nil)
}
