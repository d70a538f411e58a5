"""skpdgen: static websites for the agencies of an Indonesian kabupaten."""

__version__ = "0.1.0"
