//go:build !race

package web

// raceEnabled: under the race detector the long crawls are sampled.
const raceEnabled = false
