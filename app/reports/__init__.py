"""Coverage, comparisons and rankings over stored scores (never over raw answers)."""
