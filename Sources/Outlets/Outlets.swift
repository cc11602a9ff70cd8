// The Outlets target; see docs/architecture.md.
