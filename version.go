package ratsnetz

import "context"

// Versioner reports the data version: a number that changes (grows) with
// every committed write that may change what some viewer sees. Equal
// versions mean equal data, so anything derived from the data under one
// version (a rendered page) is valid exactly as long as the version is.
type Versioner interface {
	DataVersion(ctx context.Context) (int64, error)
}
