"""Chinese text for the assistant: 繁→简, the pkuseg model, the district dictionary, the spaCy pipeline."""
