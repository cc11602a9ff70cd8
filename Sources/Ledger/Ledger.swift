// The Ledger target; see docs/architecture.md.
