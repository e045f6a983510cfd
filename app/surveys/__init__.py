"""Questionnaires: the file format, its validation, conditions and answers."""
