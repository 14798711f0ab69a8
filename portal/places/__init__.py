"""Milan's geography and networks: Municipi, neighbourhoods, organisations, and their pages."""
