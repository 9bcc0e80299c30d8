"""Accounts: sign-up, sign-in, sign-out and recovery (views.py thin, service.py rules), what a new password
must be (passwords.py), and the work other packages ask to do when a person's keys are unlocked (after_unlock.py)."""
