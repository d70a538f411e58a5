"""`skpdgen report` and the portal's /status/ views of the activity scorecard."""
