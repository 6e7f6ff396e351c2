"""One router per app: congress, suggestions, workdays."""
