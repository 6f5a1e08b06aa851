// Package e2e holds the end-to-end tests of Ratsnetz: they start the whole
// system in-process (app.Main with the demo municipality on SQLite) and drive
// it with a real headless Chromium through the DevTools protocol (chromedp).
//
// The tests need Chromium (the Debian package at /usr/bin/chromium or the
// path in RATSNETZ_CHROMIUM) and axe-core from npm (`npm ci` in the
// repository root); `make deps` installs both. Without them the tests skip
// locally and fail on CI (env CI set).
package e2e
