package ratsnetz

import "context"

// Viewer is who is looking. Every find and list method of every store reads
// the viewer from the context and filters in its query; handlers never decide
// visibility themselves. The zero Viewer is the anonymous public.
//
// Accounts, roles and mandate-based rights extend this type (AccountID,
// PersonID and the rights derived from memberships); the stores turn it into
// a query predicate in one place.
type Viewer struct {
	// AccountID is the logged-in account, 0 for the public.
	AccountID int64
	// PersonID is the person behind the account, 0 if none.
	PersonID int64
	// System is set for internal jobs (demo loader, importer, indexers) that
	// must see everything. It is never set for a request from outside.
	System bool
}

// IsPublic reports whether the viewer sees only public data.
func (v Viewer) IsPublic() bool { return !v.System && v.AccountID == 0 }

type viewerKey struct{}

// NewContextWithViewer returns ctx carrying v.
func NewContextWithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFromContext returns the viewer in ctx, or the anonymous public.
func ViewerFromContext(ctx context.Context) Viewer {
	v, _ := ctx.Value(viewerKey{}).(Viewer)
	return v
}

// SystemContext returns ctx with the all-seeing system viewer, for internal
// jobs only.
func SystemContext(ctx context.Context) context.Context {
	return NewContextWithViewer(ctx, Viewer{System: true})
}
