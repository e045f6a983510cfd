"""Advisors' notes on a cooperative and the follow-ups they plan."""
