"""The pulumi-genauth test suite."""
