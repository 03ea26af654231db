"""Shot Video Studio: turn the shots of short vertical videos into finished clips."""

__version__ = "0.1.0"

__all__ = ["__version__"]
