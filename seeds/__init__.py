"""Versioned data the pipeline reads at graph-construction time (installed as ``presswash_seeds``).

Pattern lists grouped by concept (``appeals/``, ``captions/``, ``credits/``,
``boilerplate/``) and the sample inputs (``samples/``, not installed).
"""
