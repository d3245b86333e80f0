"""Background jobs: long work (large exports, archives) off the request, with progress."""
