"""tosmon: a terms-of-service change monitor that flags new generative-AI data-use clauses."""

__version__ = "0.1.0"
