"""Statistics the county reports: timeliness figures, the monthly report (月报)."""
