"""People: registration with only a nickname and a password, sign-in, roles, password resets."""
