"""Gentle reminders by Web Push that say nothing private: when they are due, what they say, and the sender."""
