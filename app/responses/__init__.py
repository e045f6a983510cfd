"""Waves, drafts saved answer by answer, submission exactly once, revisions, stored scores."""
