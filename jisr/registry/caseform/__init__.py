"""The standard case form (`questions`) and the categories that rest on its answers
(`categories`)."""
