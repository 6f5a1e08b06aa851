package postgres

// LoadLock is loadLock for the external tests.
const LoadLock = loadLock
