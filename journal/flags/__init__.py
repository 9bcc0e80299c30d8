"""Risk flags a therapist sees first: what a client's shared answers say, in words, until marked seen."""
