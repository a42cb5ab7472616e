"""Typed-recall grading: fold wording, split typed lines into answers and mark them item by item (study/recall.py
is the public face: match, Vocabulary, RecallResult)."""
