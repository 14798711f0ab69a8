"""Groups people join: one per neighbourhood, the city's thematic tables, mutual-aid groups."""
