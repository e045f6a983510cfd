"""HTX Số: self-assessment portal for cooperatives and the provincial Cooperative Alliance."""
