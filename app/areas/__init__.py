"""Places and their hierarchy: country, province, district, commune."""
