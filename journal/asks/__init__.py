"""Asking, never requiring: a clinician asks a linked client for a questionnaire or writes them a prompt."""
