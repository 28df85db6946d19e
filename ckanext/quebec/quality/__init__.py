"""quebec_quality: the reference-data quality badge (metadata score, data validation, reference designation)."""
