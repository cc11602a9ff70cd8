// The Mimamori target; see docs/architecture.md.
