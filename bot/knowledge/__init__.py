"""The district article's facts as data: loading, checking and turning them into Rasa data."""
