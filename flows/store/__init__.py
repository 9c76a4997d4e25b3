"""Storage: table schemas and records, atomic Parquet writes, the ledger and checks."""
