"""Security activity: an append-only log of sign-ins, password and two-step changes, sharing, exports."""
