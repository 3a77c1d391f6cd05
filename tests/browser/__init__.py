"""Real-browser tests: Playwright (sync API) driving the system Chromium against the live server."""
