"""Accounts, roles, passwords, sessions, and who may see which cooperatives."""
