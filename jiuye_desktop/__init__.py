"""就业实名台账: the core of the application, without a window."""

__version__ = "0.1.0"
