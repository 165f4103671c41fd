"""Developer tools that are not part of Burst: `make screenshots`."""
