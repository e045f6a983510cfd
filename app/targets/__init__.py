"""A wave's targets, set by an administrator: the figures the Steering Committee wants reached."""
