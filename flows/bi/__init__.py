"""What analysts open: the DuckDB catalogue of views over the tables, and the HTML report."""
