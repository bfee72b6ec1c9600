"""Image descriptors and colour analysis that need no model weights."""
