"""A therapist's private session notes about a client: sealed under the therapist's own user key."""
