"""The presswash pipeline: options, graph construction and the command line."""

from pipeline.main import build, run

__all__ = ["build", "run"]
