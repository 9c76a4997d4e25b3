"""Training of zhnews' own models: the pkuseg segmenter and the spaCy NER pipeline."""
