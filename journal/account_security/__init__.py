"""Me → Security: two-step sign-in (two_factor.py), password change and signed-in devices (protections.py),
rotating the keys (rotation.py); views.py is the thin page layer over them."""
