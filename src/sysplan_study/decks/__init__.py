"""Decks: the model, YAML loading and validation, the card cache."""
