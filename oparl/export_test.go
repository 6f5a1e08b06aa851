package oparl

// SetReflectJSON makes s encode every response with encoding/json (on) or
// with the append writers (off, the default).
func SetReflectJSON(s *Server, on bool) { s.reflectJSON = on }

// AppendJSONString is the string writer of the append encoder.
var AppendJSONString = appendString

// AppendJSONFloat is the number writer of the append encoder.
var AppendJSONFloat = appendFloat
