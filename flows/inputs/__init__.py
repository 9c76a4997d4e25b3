"""Inputs: finding, decoding and cleaning what was scraped."""
