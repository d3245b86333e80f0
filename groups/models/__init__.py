"""The groups app's models, one module per concern; import them from here."""
