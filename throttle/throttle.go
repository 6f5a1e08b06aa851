// Package throttle slows down password guessing: failed logins are counted
// per key (an account, an IP address) and, after a few free attempts, each
// further failure locks the key for an exponentially growing time that is
// capped, so a lockout always expires. Attempts during a lockout are refused
// before the password is checked and do not extend it, so an attacker can
// keep a victim's account locked at most for the cap at a time; the login
// code lets a remembered device of the account bypass the account key (see
// .team/accounts.md), so the victim is never locked out of their own device.
package throttle

import (
	"sync"
	"time"
)

// Policy is how strict a Limiter is.
type Policy struct {
	// Free is the number of failures allowed before the first lockout.
	Free int
	// Base is the first lockout; every further failure doubles it.
	Base time.Duration
	// Max caps a lockout.
	Max time.Duration
	// Forget drops a key's failures after this long without a failure.
	Forget time.Duration
}

// Account returns the default policy per login name: 5 free attempts, then
// 30 s, 1 min, 2 min, … up to 15 min.
func Account() Policy {
	return Policy{Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}
}

// IP returns the default policy per client address: more generous (offices
// share addresses behind NAT), up to 15 min.
func IP() Policy {
	return Policy{Free: 50, Base: 10 * time.Second, Max: 15 * time.Minute, Forget: time.Hour}
}

// maxKeys bounds the memory of a Limiter; beyond it expired keys are swept
// and, if still full, the oldest entry goes.
const maxKeys = 100_000

type entry struct {
	failures    int
	lockedUntil time.Time
	last        time.Time
}

// Limiter counts failures per key. It is safe for concurrent use; the zero
// value is not usable, use New.
type Limiter struct {
	policy Policy
	now    func() time.Time
	mu     sync.Mutex
	keys   map[string]*entry
}

// New returns a Limiter with policy p and clock now (nil: time.Now).
func New(p Policy, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{policy: p, now: now, keys: map[string]*entry{}}
}

// Check reports whether an attempt for key may go ahead and, if not, how
// long until it may.
func (l *Limiter) Check(key string) (retryAfter time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.get(key, now)
	if e == nil || !now.Before(e.lockedUntil) {
		return 0, true
	}
	return e.lockedUntil.Sub(now), false
}

// Fail records a failed attempt for key and returns the lockout it causes
// (0 while free attempts remain). A failure during a lockout is not counted.
func (l *Limiter) Fail(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.get(key, now)
	if e == nil {
		if len(l.keys) >= maxKeys {
			l.sweep(now)
		}
		e = &entry{}
		l.keys[key] = e
	}
	if now.Before(e.lockedUntil) {
		return e.lockedUntil.Sub(now)
	}
	e.failures++
	e.last = now
	over := e.failures - l.policy.Free
	if over <= 0 {
		return 0
	}
	d := l.policy.Base
	for i := 1; i < over && d < l.policy.Max; i++ {
		d *= 2
	}
	d = min(d, l.policy.Max)
	e.lockedUntil = now.Add(d)
	return d
}

// Succeed forgets the failures of key (after a successful login).
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// Len is the number of keys remembered (for tests and metrics).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// get returns key's entry, dropping it when forgotten.
func (l *Limiter) get(key string, now time.Time) *entry {
	e := l.keys[key]
	if e != nil && l.forgotten(e, now) {
		delete(l.keys, key)
		return nil
	}
	return e
}

func (l *Limiter) forgotten(e *entry, now time.Time) bool {
	return !now.Before(e.lockedUntil) && now.Sub(e.last) >= l.policy.Forget
}

func (l *Limiter) sweep(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, e := range l.keys {
		if l.forgotten(e, now) {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || e.last.Before(oldest) {
			oldestKey, oldest = k, e.last
		}
	}
	if len(l.keys) >= maxKeys && oldestKey != "" {
		delete(l.keys, oldestKey)
	}
}
