"""NLP: the spaCy pipeline's tokenizer and components, and loading it."""
