"""Input and output schemas that are too many to sit beside their router."""
