"""Corpus-level cleaning (pure, no Beam import): MinHash signatures and LSH band keys
(:mod:`.minhash`), per-site boilerplate learned from line counts (:mod:`.site_lines`) and
the deterministic choice of the kept copy among duplicates (:mod:`.dedup`)."""
