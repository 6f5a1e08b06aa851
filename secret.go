package ratsnetz

import "context"

// SecretService keeps secrets that every instance on one database shares
// (multi-instance operation behind a load balancer).
type SecretService interface {
	// InstanceSecret returns the secret stored under name. The first
	// caller stores value (base64 or other text, from a random source);
	// every later caller, on any instance, gets that first value back.
	InstanceSecret(ctx context.Context, name, value string) (string, error)
}
