"""The bundled decks, installed with srs as package data (`srs import --bundled`)."""
