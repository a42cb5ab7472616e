"""Schedulers and memory models: pure functions of histories, the clock passed in."""
