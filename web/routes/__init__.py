"""One module per area; each defines ``router``."""
