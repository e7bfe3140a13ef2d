"""Plumbing shared by the rest of newsclf: atomic writes, Hydra override strings, hashing,
progress bars, parameter constraints."""
