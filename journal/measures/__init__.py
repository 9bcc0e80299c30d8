"""Questionnaires (PHQ-9, GAD-7, PCL-5): a record kind "measure", scored as published."""
