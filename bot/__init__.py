"""市中区政务服务助手: the project's own Python package (NLP, knowledge, catalogue, channels, CLI)."""
