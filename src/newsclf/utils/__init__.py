"""Plumbing shared by the rest of newsclf: hashing, progress bars, parameter constraints."""
