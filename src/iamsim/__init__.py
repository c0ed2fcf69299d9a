"""iamsim: decide AWS IAM requests exactly as AWS does, offline, and explain why."""
