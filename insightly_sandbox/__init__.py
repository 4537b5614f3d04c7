"""A local stand-in for the Insightly API v3.1, faithful to its spec and recorded samples."""
