"""The presswash pipeline: options, graph construction (``pipeline.main``) and the command line."""
