"""Printable documents: the quarterly report draft (DOCX, PDF) and a cooperative's result (PDF)."""
