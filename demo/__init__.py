"""A year of believable activity for a newcomer's portal: `flask --app portal demo-data`."""
