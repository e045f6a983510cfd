"""Who needs support on which dimension, who could be a model, and saved shortlists."""
